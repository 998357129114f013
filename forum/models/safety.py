"""Blocks, sanctions and the audit log: the records every write path consults.

They live in the core because posting, reacting and room messages must enforce them; the
`moderation` package manages them through its own services and API.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, intpk, optional_timestamp, timestamp


class Block(Base):
    """`blocker` no longer sees `blocked`, and `blocked` cannot reply to or react to `blocker`.
    Silent: the blocked member is never told."""

    __tablename__ = "blocks"
    __table_args__ = (Index("ix_blocks_blocked_id", "blocked_id"),)

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[timestamp]


class HiddenItem(Base):
    """One piece of content a member asked not to see again (a report with `hide_from_me`).

    It names the content, never its author: hiding an anonymous post must not link it to
    anyone (API.md, "Blocks"). `target_type` is `post`, `thread` or `room_message`."""

    __tablename__ = "hidden_items"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    target_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[timestamp]


class SanctionKind(enum.StrEnum):
    """Sanctions from mildest to strongest."""

    WARN = "warn"
    MUTE = "mute"
    SUSPEND = "suspend"
    BAN = "ban"


class Sanction(Base):
    """A time range during which a sanction holds; `ends_at` None means permanent.
    Lifting sets `lifted_at` so the history stays."""

    __tablename__ = "sanctions"
    __table_args__ = (
        Index("ix_sanctions_user_id", "user_id", "ends_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: For bans: the keyed HMAC of the member's /24 or /48 network, never the address.
    network_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    starts_at: Mapped[timestamp]
    ends_at: Mapped[optional_timestamp]
    lifted_at: Mapped[optional_timestamp]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[timestamp]


class AppealStatus(enum.StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Appeal(Base):
    """A member's appeal of one sanction (one per sanction), decided by a moderator other than
    the one who issued it. Overturning lifts the sanction; the row keeps the history."""

    __tablename__ = "appeals"
    __table_args__ = (
        Index("ix_appeals_status_created", "status", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    sanction_id: Mapped[int] = mapped_column(
        ForeignKey("sanctions.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=AppealStatus.PENDING.value)
    created_at: Mapped[timestamp]
    decided_at: Mapped[optional_timestamp]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")


class AuditEntry(Base):
    """One row per moderator or admin action, and per look at an anonymous author."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_created", "created_at", "id"),)

    id: Mapped[intpk]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(BigId)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[timestamp]
