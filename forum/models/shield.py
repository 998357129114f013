"""Shield mode (issue #17): for a member under a pile-on, replies and supports from the
accounts she chose to hold wait in her tray until she (or a helper she trusts) decides.

A held reply is an ordinary `pending` post (the writer sees a moderation-like hold); the row
in `shield_holds` says whose tray it waits in and what became of it. Helpers are up to three
members she invited and who accepted; each of their actions is a row she can read.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, UTCDateTime, intpk, optional_timestamp, timestamp


class HoldRule(enum.StrEnum):
    """What a shield holds: accounts under 30 days or with fewer than 3 published posts,
    and accounts she never replied to, reacted to or followed."""

    NEW_ACCOUNTS = "new_accounts"
    STRANGERS = "strangers"


class HoldState(enum.StrEnum):
    """Where a held item stands in her tray."""

    HELD = "held"
    RELEASED = "released"
    REJECTED = "rejected"


class HelperStatus(enum.StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"


class Shield(Base):
    """Her shield: on while `until` is in the future (it ends by itself). The row stays after
    it ends, with the recap of its last run, so turning it on again is one update."""

    __tablename__ = "shields"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    until: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    #: The hold rules, comma-separated (`HoldRule` values).
    hold: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[timestamp]
    #: Set when the run ended (by itself, with a recap notification, or turned off by her).
    ended_at: Mapped[optional_timestamp]
    recap_held: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    recap_released: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    recap_rejected: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class ShieldHold(Base):
    """A post held for her (`owner_id`): in her tray while `state` is `held`."""

    __tablename__ = "shield_holds"
    __table_args__ = (Index("ix_shield_holds_owner", "owner_id", "state", "held_at"),)

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=HoldState.HELD.value)
    #: Moderation held it as well: releasing it from her tray leaves it to the moderators.
    is_moderated: Mapped[bool] = mapped_column(Boolean, default=False)
    held_at: Mapped[timestamp]
    decided_at: Mapped[optional_timestamp]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ShieldHelper(Base):
    """A member she asked to help with her tray (`invited`), who said yes (`accepted`)."""

    __tablename__ = "shield_helpers"
    __table_args__ = (
        UniqueConstraint("owner_id", "helper_id"),
        Index("ix_shield_helpers_helper", "helper_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    helper_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=HelperStatus.INVITED.value)
    created_at: Mapped[timestamp]
    accepted_at: Mapped[optional_timestamp]


class ShieldActivity(Base):
    """One helper action on her tray (`release`, `reject`, `block`), listed to her."""

    __tablename__ = "shield_activity"
    __table_args__ = (Index("ix_shield_activity_owner", "owner_id", "id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[intpk]
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[timestamp]
