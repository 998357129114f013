"""Accounts: pseudonymous members and staff, their login tokens and recovery codes."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Base, BigId, UTCDateTime, intpk, optional_timestamp, timestamp


class Role(enum.StrEnum):
    """What an account may do; staff roles are counsellor, moderator and admin."""

    MEMBER = "member"
    COUNSELLOR = "counsellor"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        return self is not Role.MEMBER


class User(Base):
    """A member: a handle and a password hash, never an e-mail address or a phone number."""

    __tablename__ = "users"
    #: Ids are never handed out twice, even on SQLite: an erased account's id must not pass
    #: its reports and review items to the next registrant (issue #12).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[intpk]
    handle: Mapped[str] = mapped_column(String(32))
    #: NFKC + case folding + TR39 skeleton of the handle: what uniqueness is checked on.
    handle_key: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    locale: Mapped[str | None] = mapped_column(String(8))
    #: Keyed HMAC of the /24 or /48 network the account registered from (ban evasion), never an IP.
    network_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[optional_timestamp]
    totp_last_step: Mapped[int | None] = mapped_column(BigId)
    #: A second secret being enrolled: the enrolled one (above) stays in force until this one
    #: is confirmed with a code. Kept here, never in the session cookie.
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[timestamp]

    tokens: Mapped[list[AuthToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_staff(self) -> bool:
        return self.role_enum.is_staff

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_enabled_at is not None

    # Flask-Login asks these of the object a session resolves to.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """Flask-Login's id: the session secret of this login, set by the login service."""
        return getattr(self, "_session_secret", "")


class AuthToken(Base):
    """A bearer token or browser session: only the SHA-256 of the secret is stored.

    Deleting the row revokes it at once (logout, suspension, "log out everywhere").
    """

    __tablename__ = "auth_tokens"
    __table_args__ = (Index("ix_auth_tokens_user_id", "user_id"), {"sqlite_autoincrement": True})

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "bearer" or "session"
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[timestamp]
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    #: Fresh recovery codes waiting to be shown to this browser session until she confirms she
    #: saved them, sealed with a key only the session's cookie secret gives (`forum.http.sessions`).
    pending_codes: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(back_populates="tokens")


class RecoveryCode(Base):
    """One of ten single-use codes that replace e-mail for account recovery; stored hashed."""

    __tablename__ = "recovery_codes"
    __table_args__ = (Index("ix_recovery_codes_user_id", "user_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(Text)
    used_at: Mapped[optional_timestamp]
    created_at: Mapped[timestamp]
