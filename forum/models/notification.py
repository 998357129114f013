"""Notifications and what decides who gets them: thread follows, muted boards, and each
member's settings (quiet hours in her time zone).

A notification names what happened (its `kind`) and what it is about (thread, post, room,
request, report, sanction, appeal, invite), never the words of a post. `actor_id` is who
caused it, kept only so a later block hides it and an erasure forgets it; it is never shown,
and it is stored as None when the cause was anonymous (`is_anonymous`), so nothing about a
notification depends on who wrote anonymous content.
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, optional_timestamp, timestamp

DEFAULT_TIMEZONE = "Asia/Karachi"


class NotificationKind(enum.StrEnum):
    """What a notification tells her (API.md, "Notifications")."""

    REPLY = "reply"
    SUPPORT = "support"
    REPORT_OUTCOME = "report_outcome"
    SANCTION = "sanction"
    APPEAL_DECIDED = "appeal_decided"
    SUPPORT_ACCEPTED = "support_accepted"
    SUPPORT_OFFERED = "support_offered"
    SHIELD_OFFER = "shield_offer"
    SHIELD_HELD = "shield_held"
    HELPER_INVITE = "helper_invite"
    #: Her shield ended by itself (the recap is in `GET /me/shield`).
    SHIELD_ENDED = "shield_ended"


class Notification(Base):
    """One thing she should learn about; `count` grows when events merge (supports on one
    post, held items of one day)."""

    __tablename__ = "notifications"
    __table_args__ = (
        # Her list, newest first: keyset over (recipient, time, id). Ids are random
        # (`forum.services.notifications.new_id`), so they say nothing about others.
        Index("ix_notifications_recipient", "recipient_id", "created_at", "id"),
        # Her unread count; and the retention sweep over read ones. Partial, so a fan-out
        # of unread rows writes one of the two only.
        Index("ix_notifications_unread", "recipient_id",
              postgresql_where=text("read_at IS NULL"), sqlite_where=text("read_at IS NULL")),
        Index("ix_notifications_read_at", "read_at",
              postgresql_where=text("read_at IS NOT NULL"),
              sqlite_where=text("read_at IS NOT NULL")),
        Index("ix_notifications_post", "post_id"),
    )

    # No foreign keys, on purpose: each costs a trigger (PostgreSQL) or a look-up (SQLite)
    # per inserted row, together 35 ms for a reply with 1,000 followers. What a notification
    # points at is joined when it is read, and one whose post or thread is gone is not shown
    # (`forum.services.notifications`); erasure deletes hers explicitly, and the hourly sweep
    # deletes what points at nothing (`purge_read`).
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    recipient_id: Mapped[int] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(24))
    count: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    #: Who caused it (None when anonymous or on duty): for the block rule and erasure only.
    actor_id: Mapped[int | None] = mapped_column(BigId)
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    thread_id: Mapped[int | None] = mapped_column(BigId)
    post_id: Mapped[int | None] = mapped_column(BigId)
    room_id: Mapped[int | None] = mapped_column(BigId)
    request_id: Mapped[int | None] = mapped_column(BigId)
    report_id: Mapped[int | None] = mapped_column(BigId)
    sanction_id: Mapped[int | None] = mapped_column(BigId)
    appeal_id: Mapped[int | None] = mapped_column(BigId)
    invite_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[timestamp]
    read_at: Mapped[optional_timestamp]


class ThreadFollow(Base):
    """She follows a thread (`is_following`), or said she does not (an explicit unfollow,
    kept so replying again does not follow it behind her back)."""

    __tablename__ = "thread_follows"
    __table_args__ = (Index("ix_thread_follows_thread", "thread_id", "is_following"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    is_following: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[timestamp]


class BoardMute(Base):
    """Nothing on this board notifies her."""

    __tablename__ = "board_mutes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[timestamp]


class NotificationSettings(Base):
    """Quiet hours ("22:00" to "07:00", in her time zone): stored, not pushed live."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
