"""What reports and review items point at: posts, room messages and users.

One place loads a target, decides whether an actor may see it, takes its snapshot and moves
its status, so reports, the screener and the queue treat the three kinds alike.
Room messages come from `forum.models.room`; if that module is absent, `room_message`
targets simply do not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models.board import Board, Post, PostStatus, Thread, change_post_status
from forum.models.user import User
from forum.policy import (
    Actor,
    Permission,
    block_applies,
    blocked_either_way_sql,
    can_read_board,
    name_shown_sql,
)
from forum.shapes import iso
from moderation.models import TargetType

try:  # the rooms feature is written separately; moderation works without it
    from forum.models.room import Room, RoomMessage, RoomParticipant
    from forum.policy import rooms as room_rules
except ImportError:  # pragma: no cover - depends on the checkout
    Room = RoomMessage = RoomParticipant = None  # type: ignore[assignment,misc]  # optional: no rooms
    room_rules = None  # type: ignore[assignment]  # optional: no rooms

#: Statuses that keep content away from everyone but its author and moderators.
_HELD = {"pending", "hidden"}


@dataclass
class Target:
    """A loaded target with what its snapshot and status changes need."""

    type: str
    id: int
    author_id: int | None
    row: Any
    thread: Thread | None = None
    board: Board | None = None
    room: Any = None

    @property
    def is_anonymous(self) -> bool:
        return bool(getattr(self.row, "is_anonymous", False))

    @property
    def status(self) -> str | None:
        return getattr(self.row, "status", None) if self.type != TargetType.USER else None


def rooms_available() -> bool:
    """Whether the rooms feature (and so `room_message` targets) is present."""
    return RoomMessage is not None


def load_target(session: Session, target_type: str, target_id: int) -> Target | None:
    """The target with its context (thread and board, or room), or None."""
    if target_type == TargetType.POST:
        row = session.execute(
            select(Post, Thread, Board)
            .join(Thread, Thread.id == Post.thread_id)
            .join(Board, Board.id == Thread.board_id)
            .where(Post.id == target_id)
        ).first()
        if row is None:
            return None
        post, thread, board = row
        return Target(TargetType.POST, post.id, post.author_id, post, thread=thread, board=board)
    if target_type == TargetType.ROOM_MESSAGE:
        if RoomMessage is None:
            return None
        message = session.get(RoomMessage, target_id)
        if message is None:
            return None
        room = session.get(Room, message.room_id)
        return Target(TargetType.ROOM_MESSAGE, message.id, message.author_id, message, room=room)
    if target_type == TargetType.USER:
        user = session.get(User, target_id)
        if user is None:
            return None
        return Target(TargetType.USER, user.id, user.id, user)
    return None


def may_see(session: Session, actor: Actor, target: Target) -> bool:
    """Can `actor` see the target (and so report it)? Moderators see everything; members see
    published content on boards they may read, and a room message when the room's history
    shows it to them now (`forum.policy.rooms.may_read_message`: still a participant, not
    removed from the room, not hidden by a block, held only to its author and the host)."""
    if target.type == TargetType.USER:
        return may_name(session, actor, target.id)
    if target.type == TargetType.POST:
        assert target.board is not None and target.thread is not None
        if not can_read_board(actor, target.board.visibility):
            return False
        if actor.can(Permission.POST_MODERATE):
            return True
        if not (target.row.status == PostStatus.PUBLISHED
                and target.thread.status == PostStatus.PUBLISHED):
            return False
        # What reading hides by the block rule stays hidden here: the thread's named author
        # and the post's, either way.
        return not any(
            block_applies(actor, anonymous=row.is_anonymous)
            and session.scalar(select(blocked_either_way_sql(actor.id, row.author_id)))
            for row in (target.thread, target.row)
        )
    # A room message: exactly when it is in her history of that room.
    if room_rules is None:
        return actor.can(Permission.ROOM_MODERATE)
    # Kicks are rows (`RoomBan`) as well as shared state, so the rows alone decide here.
    return room_rules.may_read_message(session, actor, target.id)


def may_name(session: Session, actor: Actor, user_id: int) -> bool:
    """May `actor` act on this account by its id (report it, block it)? Moderators on any;
    a member only on someone whose name she has been shown: an author of named published
    posts, a room's host, someone who sent named messages in a room she took part in, or
    shares one with her (presence names members), or one she already blocked. Anyone else,
    a lurker or a staff account she never met, answers exactly as a missing id, so the ids
    cannot be walked for handles and roles."""
    if actor.can(Permission.POST_MODERATE):
        return True
    if actor.id is None:
        return False
    if actor.id == user_id:
        return True
    return bool(session.scalar(select(name_shown_sql(actor.id, user_id))))


def snapshot(session: Session, target: Target, *, reveal: bool) -> dict[str, Any]:
    """The target as it is now. With `reveal`, the real author of anonymous content is
    included (moderators only); without it, the author is shown as the public sees her."""
    if target.type == TargetType.USER:
        user: User = target.row
        return {
            "type": "user",
            "id": user.id,
            "handle": user.handle,
            "role": user.role,
            "created_at": iso(user.created_at),
        }
    author = session.get(User, target.author_id) if target.author_id is not None else None
    erased = bool(getattr(target.row, "is_author_deleted", False))
    shown: dict[str, Any] | None = None
    if author is not None and not erased and (reveal or not target.is_anonymous):
        shown = {"id": author.id, "handle": author.handle, "role": author.role}
    data: dict[str, Any] = {
        "type": target.type,
        "id": target.id,
        "text": target.row.body,
        "author": shown,
        "anonymous": target.is_anonymous,
        "created_at": iso(target.row.created_at),
        "status": target.row.status,
    }
    if target.type == TargetType.POST:
        assert target.thread is not None and target.board is not None
        data.update(
            board=target.board.slug,
            thread_id=target.thread.id,
            thread_title=target.thread.title,
            edited_at=iso(target.row.edited_at),
            # The author's own warning (an opening post carries its thread's).
            content_warning=target.row.content_warning
            or (target.thread.content_warning if target.row.is_opening else None),
        )
    else:
        data["room"] = target.room.slug if target.room is not None else None
    return data


def set_status(target: Target, status: str) -> bool:
    """Move content to `status` ("published", "hidden", "pending" or "removed"), keeping the
    core's counters true. Room messages know no `hidden`: they are held (`pending`) instead.
    Returns whether anything changed."""
    if target.type == TargetType.USER:
        return False
    if target.type == TargetType.POST:
        assert target.thread is not None and target.board is not None
        before = target.row.status
        change_post_status(target.row, target.thread, target.board, status)
        return before != target.row.status
    if status == "hidden":
        status = "pending"
    if target.row.status == status:
        return False
    target.row.status = status
    return True


def is_held(target: Target) -> bool:
    """Content waiting for review (held by the filter, or hidden by reports)."""
    return target.status in _HELD
