"""Live support rooms: rooms hosted by counsellors, their messages, kicks, participants, and
members' requests for a private conversation with a counsellor.

Volatile room state (who is connected, slow-mode clocks) is not here: it lives in
`forum.realtime.state` (memory or Redis). What must survive a restart of Redis or of a server,
or be read by the moderation package (messages, kicks, room mutes), is here.
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, intpk, optional_timestamp, timestamp


class RoomStatus(enum.StrEnum):
    """A room is announced (`scheduled`), then `open` while live, then `closed` for good."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class RoomMessageStatus(enum.StrEnum):
    """`pending` messages are held for review: seen by the host and moderators only."""

    PUBLISHED = "published"
    PENDING = "pending"
    REMOVED = "removed"


class SupportStatus(enum.StrEnum):
    """A member's request for private support, from waiting to accepted (or cancelled)."""

    WAITING = "waiting"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    #: A counsellor offered her a private conversation after crisis language (`offer_support`).
    OFFERED = "offered"
    DECLINED = "declined"


DEFAULT_CAPACITY = 50


class Room(Base):
    """A live support room; `is_private` rooms are the two-person rooms of accepted support
    requests and are listed and open to their two people only."""

    __tablename__ = "rooms"
    __table_args__ = (Index("ix_rooms_status", "status", "starts_at"), {"sqlite_autoincrement": True})

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    host_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=RoomStatus.SCHEDULED.value)
    starts_at: Mapped[optional_timestamp]
    opened_at: Mapped[optional_timestamp]
    closed_at: Mapped[optional_timestamp]
    capacity: Mapped[int] = mapped_column(Integer, default=DEFAULT_CAPACITY)
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[timestamp]


class RoomMessage(Base):
    """One message said in a room. `body` is the source as written; `body_html` what is shown
    (rendered, sanitised, censored where the screener said so)."""

    __tablename__ = "room_messages"
    __table_args__ = (
        # History pages and reconnect catch-up: `WHERE room_id = ? AND id > ? ORDER BY id`.
        Index("ix_room_messages_room_id_id", "room_id", "id"),
        Index("ix_room_messages_author_id", "author_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=RoomMessageStatus.PUBLISHED.value)
    created_at: Mapped[timestamp]


class RoomBan(Base):
    """A kick: the member is out of the room and cannot join it again."""

    __tablename__ = "room_bans"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[timestamp]


class RoomMute(Base):
    """A room mute: the member stays in the room and reads it, but cannot speak there until
    the host or a moderator unmutes her. A row, so a Redis restart never lifts it."""

    __tablename__ = "room_mutes"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[timestamp]


class RoomParticipant(Base):
    """Someone who has joined the room at least once: who may read its history afterwards
    (after a reconnect, say) without being connected at that moment."""

    __tablename__ = "room_participants"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[timestamp]


class SupportRequest(Base):
    """A member asking for a private conversation with a counsellor; accepting it opens a
    private room for the two."""

    __tablename__ = "support_requests"
    __table_args__ = (
        Index("ix_support_requests_status", "status", "created_at", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=SupportStatus.WAITING.value)
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    created_at: Mapped[timestamp]
    accepted_at: Mapped[optional_timestamp]
    #: Made on her behalf by a counsellor's `offer_support`: her handle is never shown to him.
    offered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The request (its topic, or the message it answers) shows crisis language: listed first.
    crisis: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
