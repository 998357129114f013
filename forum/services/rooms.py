"""Live support rooms: creating, opening and closing them, who may join and read, saying
something in one, and the host's and moderators' actions — the same functions serve the JSON
API, the pages and the Socket.IO namespace.

Room messages take the path posts take: standing (`assert_may_write`), the screener (block,
hold, censor, crisis) and blocks. What must be shared between server processes (presence,
room mutes, kicks, slow-mode clocks, rate counters) is asked of a `RoomState` passed in by the
caller (`forum.realtime.state`); durable facts (messages, kicks, participants) are rows.

Services flush and never commit; the caller commits once, then emits.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from blinker import Namespace
from flask import current_app
from sqlalchemy import Select, bindparam, case, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from forum import policy, signals
from forum.audit import record_action
from forum.db import rows_affected, utcnow
from forum.errors import (
    Forbidden,
    Invalid,
    Locked,
    Muted,
    NotFound,
    RateLimited,
    RoomClosed,
    SlowMode,
)
from forum.models.room import (
    DEFAULT_CAPACITY,
    Room,
    RoomBan,
    RoomMessage,
    RoomMessageStatus,
    RoomMute,
    RoomParticipant,
    RoomStatus,
)
from forum.models.safety import Block
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.policy.rooms import (
    in_private_room,
    is_admin,
    is_host,
    is_kicked,
    is_muted,
    may_be_restricted,
    may_moderate,
    viewer_kind,
    visible_messages,
    visible_messages_shape,
)
from forum.screening import Screener, Screening
from forum.services.writing import STANDING_CHECKED, write
from forum.shapes import iso, user_json, user_row_json
from forum.standing import assert_kinds_allow_writing, assert_may_write

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
BODY_MAX = 4000
CAPACITY_MAX = 500
SLOW_MODE_MAX = 3600
HISTORY_SIZE = 50
HISTORY_MAX = 100

# --- events for the realtime layer, sent by whoever committed (after the commit) -------------

_events = Namespace()

#: sender: the room id. Sent after a commit that changed a room (opened, closed, locked ...),
#: so connected clients get `room_updated`.
room_changed = _events.signal("room-changed")

#: sender: the request id. Sent after a member's support request is committed.
support_requested = _events.signal("support-requested")

#: sender: the request id. Sent after a counsellor's acceptance is committed.
support_accepted = _events.signal("support-accepted")


class RoomStateView(Protocol):
    """The part of `forum.realtime.state.RoomState` the services use."""

    def participant_count(self, room_id: int) -> int: ...

    def is_muted(self, room_id: int, user_id: int) -> bool: ...

    def mute(self, room_id: int, user_id: int) -> None: ...

    def unmute(self, room_id: int, user_id: int) -> None: ...

    def kick(self, room_id: int, user_id: int) -> None: ...

    def is_kicked(self, room_id: int, user_id: int) -> bool: ...

    def slow_mode_wait(self, room_id: int, user_id: int, seconds: int, now: float) -> float: ...

    def rate_wait(self, user_id: int, now: float) -> float: ...


def installed_room_state() -> Any:
    """The room state `forum.realtime.init_app` installed (None without realtime): the API
    reads live participant counts through it without importing the realtime layer."""
    return current_app.extensions.get("forum.room_state")


# --- shapes ---------------------------------------------------------------------------------


def room_json(room: Room, host: User | None, participant_count: int) -> dict[str, Any]:
    """A room as `GET /rooms` and the `room_updated` event show it."""
    return {
        "slug": room.slug,
        "title": room.title,
        "description": room.description,
        "host": user_json(host),
        "status": room.status,
        "starts_at": iso(room.starts_at),
        "opened_at": iso(room.opened_at),
        "closed_at": iso(room.closed_at),
        "capacity": room.capacity,
        "participant_count": participant_count,
        "locked": room.is_locked,
        "slow_mode_seconds": room.slow_mode_seconds,
        "private": room.is_private,
    }


def describe_room(session: Session, room: Room, state: RoomStateView | None, *,
                  host_shown: dict[str, Any] | None = None) -> dict[str, Any]:
    """`room_json` with its host loaded and the live count asked of the state; a caller
    that has the host as `user_json` shows her (`host_shown`) passes it instead."""
    count = state.participant_count(room.id) if state is not None else 0
    if host_shown is not None and host_shown.get("id") == room.host_id:
        shown = room_json(room, None, count)
        shown["host"] = host_shown
        return shown
    host = session.get(User, room.host_id) if room.host_id is not None else None
    return room_json(room, host, count)


def message_json(
    message: RoomMessage, room: Room, author: User | None, *, reveal: bool = False
) -> dict[str, Any]:
    """A message as the `message` event and the history show it; an anonymous author is
    shown only when `reveal` (moderators, audited by the caller)."""
    shown = user_json(author) if (not message.is_anonymous or reveal) else None
    return {
        "room": room.slug,
        "id": message.id,
        "author": shown,
        "anonymous": message.is_anonymous,
        "body_html": message.body_html,
        "status": message.status,
        "created_at": iso(message.created_at),
    }


# --- rules ----------------------------------------------------------------------------------


def _plain(value: str | None, name: str, limit: int, *, required: bool) -> str:
    text = " ".join((value or "").split())
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf"})
    if required and not text:
        raise Invalid({name: ["This cannot be empty."]})
    if len(text) > limit:
        raise Invalid({name: [f"At most {limit} characters."]})
    return text


def _slug_for(title: str) -> str:
    base = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", base).strip("-")[:48].strip("-") or "room"
    return f"{base}-{secrets.token_hex(3)}"


def load_room(session: Session, slug: str) -> Room:
    """The room with this slug; 404 otherwise."""
    room = session.scalar(select(Room).where(Room.slug == slug)) if slug else None
    if room is None:
        raise NotFound("No such room.")
    return room


def load_visible_room(session: Session, actor: Actor, slug: str) -> Room:
    """A room the actor may know of: private rooms exist only for their two people (and
    moderators); 404 for anyone else."""
    room = load_room(session, slug)
    if room.is_private and not in_private_room(session, actor, room) and not actor.can(
        Permission.ROOM_MODERATE
    ):
        raise NotFound("No such room.")
    return room


def create_room(
    session: Session,
    actor: Actor,
    *,
    title: str,
    description: str = "",
    starts_at: dt.datetime | None = None,
    capacity: int | None = None,
) -> Room:
    """Announce a room (counsellors and admins); it starts `scheduled` and its creator hosts."""
    actor.require(Permission.ROOM_CREATE)
    user = actor.require_user()
    clean_title = _plain(title, "title", TITLE_MAX, required=True)
    clean_description = (description or "").strip()
    if len(clean_description) > DESCRIPTION_MAX:
        raise Invalid({"description": [f"At most {DESCRIPTION_MAX} characters."]})
    size = DEFAULT_CAPACITY if capacity is None else capacity
    if not 2 <= size <= CAPACITY_MAX:
        raise Invalid({"capacity": [f"From 2 to {CAPACITY_MAX}."]})
    if starts_at is not None and starts_at.tzinfo is None:
        raise Invalid({"starts_at": ["Give a time zone (for example a trailing Z)."]})
    room = Room(
        slug=_slug_for(clean_title),
        title=clean_title,
        description=clean_description,
        host_id=user.id,
        status=RoomStatus.SCHEDULED.value,
        starts_at=starts_at,
        capacity=size,
        is_private=False,
        is_locked=False,
        slow_mode_seconds=0,
    )
    session.add(room)
    session.flush()
    record_action(session, actor, "room.create", "room", room.id, slug=room.slug)
    return room


def open_room(session: Session, actor: Actor, room: Room) -> Room:
    """Its host or an admin opens a scheduled room; opening an open room changes nothing."""
    actor.require_user()
    if not (is_host(actor, room) or is_admin(actor)):
        raise Forbidden("Only the room's host or an admin can open it.")
    if room.status == RoomStatus.CLOSED:
        raise RoomClosed("This room is closed for good; create a new one.")
    if room.status == RoomStatus.SCHEDULED:
        room.status = RoomStatus.OPEN.value
        room.opened_at = utcnow()
        record_action(session, actor, "room.open", "room", room.id)
    return room


def close_room(session: Session, actor: Actor, room: Room) -> Room:
    """Its host, a moderator or an admin closes a room for good; its messages are deleted
    FORUM_ROOM_RETENTION_DAYS later (`purge_expired_messages`)."""
    actor.require_user()
    if not (may_moderate(actor, room) or is_admin(actor)):
        raise Forbidden("Only the room's host, a moderator or an admin can close it.")
    if room.status != RoomStatus.CLOSED:
        room.status = RoomStatus.CLOSED.value
        room.closed_at = utcnow()
        record_action(session, actor, "room.close", "room", room.id)
    return room


def list_rooms(
    session: Session, actor: Actor, state: RoomStateView | None, *, include_closed: bool = False
) -> list[dict[str, Any]]:
    """Rooms to show: public rooms that are scheduled or open (closed too on request), and
    the private rooms the actor is one of the two people of; open first, then by start."""
    statuses = [RoomStatus.SCHEDULED.value, RoomStatus.OPEN.value]
    if include_closed:
        statuses.append(RoomStatus.CLOSED.value)
    visible = Room.is_private.is_(False)
    if actor.id is not None:
        mine = select(RoomParticipant.room_id).where(RoomParticipant.user_id == actor.id)
        visible = or_(visible, Room.host_id == actor.id, Room.id.in_(mine))
    rows = session.execute(
        select(Room, User)
        .outerjoin(User, User.id == Room.host_id)
        .where(Room.status.in_(statuses), visible)
        .order_by(case((Room.status == RoomStatus.OPEN.value, 0),
                       (Room.status == RoomStatus.SCHEDULED.value, 1), else_=2),
                  Room.starts_at, Room.id)
        .limit(200)
    ).all()
    return [
        room_json(room, host, state.participant_count(room.id) if state is not None else 0)
        for room, host in rows
    ]


#: `INSERT ... ON CONFLICT DO NOTHING` of a participant, per database, built once.
_RECORD_PARTICIPANT = {
    name: insert(RoomParticipant.__table__).on_conflict_do_nothing(
        index_elements=["room_id", "user_id"])
    for name, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}


def record_participant(session: Session, room: Room, user: User, *,
                       known: bool | None = None) -> None:
    """Remember that the user has been in the room, so she may read its history later.

    One statement (`INSERT ... ON CONFLICT DO NOTHING`, so two sockets of hers joining at
    once cannot collide), none when the caller already read that she is one (`known`)."""
    if known:
        return
    values = {"room_id": room.id, "user_id": user.id, "created_at": utcnow()}
    connection = session.connection()
    statement = _RECORD_PARTICIPANT.get(connection.dialect.name)
    if statement is None:  # another database: read, then add
        if session.get(RoomParticipant, (room.id, user.id)) is None:
            session.add(RoomParticipant(**values))
            session.flush()
        return
    connection.execute(statement, values)


def forget_participant(session: Session, room: Room, user_id: int) -> None:
    """She left a public room (her last socket there, by `leave`): she is no longer one of
    its participants, so what is said after she left is not hers to read, in the history or
    on a report page (ids are sequential: counting must show her nothing). Coming back makes
    her one again. A disconnect is not a leave: a client that reconnects catches up. The two
    people of a private room stay its participants (the room exists only for them)."""
    if not room.is_private:
        session.execute(
            delete(RoomParticipant).where(
                RoomParticipant.room_id == room.id, RoomParticipant.user_id == user_id
            )
        )


def history(
    session: Session,
    actor: Actor,
    room: Room,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = HISTORY_SIZE,
) -> list[dict[str, Any]]:
    """Messages oldest-first (`visible_messages`): the last `limit`, or those before/after
    a message id. The caller has checked access (`check_may_read`)."""
    if before is not None and after is not None:
        raise Invalid({"before": ["Give either before or after, not both."]})
    limit = max(1, min(limit, HISTORY_MAX))
    edge = "after" if after is not None else "before" if before is not None else "last"
    if actor.id is None:  # `check_may_read` lets no one unnamed in; said as it always was
        query = visible_messages(actor, room).with_only_columns(*_HISTORY_COLUMNS)
        rows = session.execute(_history_window(query, edge, limit),
                               {"edge": after if after is not None else before}).all()
    else:
        statement = _history_statement(viewer_kind(actor, room), edge, limit)
        rows = session.execute(statement, {
            "room_id": room.id, "viewer": actor.id,
            "edge": after if after is not None else before}).all()
    if edge != "after":
        rows.reverse()
    reveal = actor.can(Permission.AUTHOR_REVEAL)
    shown = []
    for message_id, anonymous, body_html, status, created_at, *author in rows:
        named = user_row_json(*author)
        revealing = reveal and anonymous and named is not None
        if revealing:
            record_action(session, actor, "author.reveal", "room_message", message_id)
        shown.append({
            "room": room.slug,
            "id": message_id,
            "author": named if (not anonymous or revealing) else None,
            "anonymous": anonymous,
            "body_html": body_html,
            "status": status,
            "created_at": iso(created_at),
        })
    return shown


def _history_window(query: Select[Any], edge: str, limit: int) -> Select[Any]:
    """The history's page of `query`: the `limit` after (ascending) or before the message
    `edge` (a bound parameter), or the last `limit` (both descending)."""
    if edge == "after":
        return query.where(RoomMessage.id > bindparam("edge")).order_by(RoomMessage.id).limit(
            limit)
    if edge == "before":
        query = query.where(RoomMessage.id < bindparam("edge"))
    return query.order_by(RoomMessage.id.desc()).limit(limit)


@functools.lru_cache(maxsize=256)
def _history_statement(kind: tuple[bool, bool, bool], edge: str, limit: int) -> Select[Any]:
    """The history's statement for one kind of viewer, page and size, built once (building
    and keying a fresh one cost more than running it)."""
    return _history_window(
        visible_messages_shape(kind).with_only_columns(*_HISTORY_COLUMNS), edge, limit)


#: The history's columns (`message_json`'s fields and the author's), read as plain rows:
#: building fifty `RoomMessage` and `User` objects per join cost more than the query.
_HISTORY_COLUMNS = (RoomMessage.id, RoomMessage.is_anonymous, RoomMessage.body_html,
                    RoomMessage.status, RoomMessage.created_at, User.id, User.handle, User.role)


# --- saying something -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sent:
    """A message written, with the screener's answer (held? crisis? resources?)."""

    message: RoomMessage
    room: Room
    author: User
    screening: Screening


_INSERT_MESSAGE = RoomMessage.__table__.insert()


def send_message(
    session: Session,
    actor: Actor,
    screener: Screener,
    state: RoomStateView,
    room: Room,
    *,
    body: Any,
    anonymous: bool = False,
    now: float,
    sanctions: Collection[str] | None = None,
    removed: bool | None = None,
    muted: bool | None = None,
) -> Sent:
    """Say something in a room the caller has joined.

    Order of refusals: account standing, room closed, kicked, locked, room mute, text rules,
    rate limit, slow mode, then the screener (`block` refuses with its reasons, `hold` keeps
    the message `pending` for the host and moderators).

    A caller that has read them in this unit of work already passes the kinds of the
    author's sanctions in force (`sanctions`), whether a `RoomBan` keeps her out
    (`removed`) and whether a `RoomMute` silences her (`muted`); otherwise they are read
    here. Kicks and mutes are rows: a Redis restart lifts neither.
    """
    user = actor.require_user()
    if sanctions is None:
        assert_may_write(session, user)
    else:
        assert_kinds_allow_writing(sanctions)
    staff = may_moderate(actor, room)
    if room.status != RoomStatus.OPEN:
        raise RoomClosed("This room is not open.")
    kicked = removed if removed is not None else is_kicked(session, room, user.id)
    if kicked:
        raise Forbidden("You were removed from this room.")
    if room.is_locked and not staff:
        raise Locked("The room is locked: only the host is speaking now.")
    if muted is None:
        muted = is_muted(session, room, user.id)
    if muted:
        raise Muted("The host has muted you in this room.")

    def not_too_fast() -> None:
        wait = state.rate_wait(user.id, now)
        if wait > 0:
            raise RateLimited(max(1, int(wait + 0.999)), "You are sending messages too fast.")
        if not staff and room.slow_mode_seconds > 0:
            wait = state.slow_mode_wait(room.id, user.id, room.slow_mode_seconds, now)
            if wait > 0:
                raise SlowMode(wait)

    written = write(session, actor, screener, kind="room_message", body=body, limit=BODY_MAX,
                    place=room.slug, sanctions=STANDING_CHECKED, before_screening=not_too_fast,
                    chat=True)
    screening = written.screening
    status = (
        RoomMessageStatus.PENDING.value
        if screening.status == "pending"
        else RoomMessageStatus.PUBLISHED.value
    )
    values = {
        "room_id": room.id,
        "author_id": user.id,
        "is_anonymous": bool(anonymous),
        "body": written.text,
        "body_html": written.html,
        "status": status,
        "created_at": utcnow(),
    }
    # A Core insert (no unit-of-work flush for one row); the message object is not in the
    # session: whoever needs the row (the screener's review queue) reads it by id.
    inserted = session.connection().execute(_INSERT_MESSAGE, values)
    message = RoomMessage(id=inserted.inserted_primary_key[0], **values)
    screener.record(session, written.submission, screening, "room_message", message.id)
    return Sent(message=message, room=room, author=user, screening=screening)


def _hides(user: User, room: Room, *, anonymous: bool, require_totp: bool) -> bool:
    """`policy.hidden_by_block` for someone blocked either way with the other person."""
    actor = Actor.of(user, require_totp=require_totp)
    return policy.hidden_by_block(actor, anonymous=anonymous, blocked_either_way=True,
                                  host_id=room.host_id)


def kept_apart(
    session: Session, room: Room, author_id: int | None, *, anonymous: bool, require_totp: bool
) -> set[int]:
    """Who must not receive this message of `author_id` in `room`: whoever is blocked either
    way with her (`policy.hidden_authors_sql`: usually nobody, one small indexed query
    whatever the size of the room), unless the message is anonymous or she is on duty there
    (`policy.hidden_by_block`). The caller intersects with the people present."""
    if author_id is None or anonymous:
        return set()
    apart = session.scalars(
        select(User).where(User.id.in_(policy.hidden_authors_sql(author_id)))
    ).all()
    return {user.id for user in apart
            if _hides(user, room, anonymous=False, require_totp=require_totp)}


def presence_hidden(
    session: Session, room_id: int, members: Sequence[int], *, require_totp: bool
) -> dict[int, set[int]]:
    """For each person present whose view of the room's presence a block changes: whom her
    member list leaves out (those blocked either way with her), unless she is on duty there.
    Usually empty: one indexed query over the people present, then nothing."""
    if len(members) < 2:
        return {}
    pairs = session.execute(
        select(Block.blocker_id, Block.blocked_id).where(
            Block.blocker_id.in_(members), Block.blocked_id.in_(members)
        )
    ).all()
    if not pairs:
        return {}
    room = session.get(Room, room_id)
    if room is None:
        return {}
    hidden: dict[int, set[int]] = {}
    for blocker, blocked in pairs:
        hidden.setdefault(blocker, set()).add(blocked)
        hidden.setdefault(blocked, set()).add(blocker)
    for user in session.scalars(select(User).where(User.id.in_(sorted(hidden)))).all():
        if not _hides(user, room, anonymous=False, require_totp=require_totp):
            del hidden[user.id]
    return hidden


# --- host and moderator actions -------------------------------------------------------------

@dataclass
class Moderated:
    """What an action did, for the caller to tell the clients after the commit."""

    action: str
    room: Room
    message: RoomMessage | None = None
    message_author: User | None = None
    user_id: int | None = None
    changed_room: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def _target_id(target: Any) -> int:
    if isinstance(target, bool) or not isinstance(target, int) or target <= 0:
        raise Invalid({"target": ["Give the id (a whole number) this action is about."]})
    return target


def moderate(
    session: Session,
    actor: Actor,
    state: RoomStateView,
    room: Room,
    *,
    action: Any,
    target: Any = None,
    seconds: Any = None,
) -> Moderated:
    """One host or moderator action on a room, with one audit entry (each action is a
    function of its own below; this only checks who asks and which action it is)."""
    actor.require_user()
    if not may_moderate(actor, room):
        raise Forbidden("Only the room's host and moderators can do this.")
    if action not in MODERATE_ACTIONS:
        raise Invalid({"action": [f"One of: {', '.join(sorted(MODERATE_ACTIONS))}."]})
    done = Moderated(action=action, room=room)
    _ACTIONS[action](session, actor, state, done, target=target, seconds=seconds)
    return done


def _on_message(session: Session, actor: Actor, state: RoomStateView, done: Moderated,
                **given: Any) -> None:
    """`remove_message` any message of the room; `release` a held one."""
    room = done.room
    message = session.get(RoomMessage, _target_id(given["target"]))
    if message is None or message.room_id != room.id:
        raise NotFound("No such message in this room.")
    if done.action == "remove_message":
        message.status = RoomMessageStatus.REMOVED.value
    else:
        if message.status != RoomMessageStatus.PENDING:
            raise Invalid({"target": ["Only a held message can be released."]})
        message.status = RoomMessageStatus.PUBLISHED.value
    done.message = message
    done.message_author = (
        session.get(User, message.author_id) if message.author_id is not None else None
    )
    record_action(session, actor, f"room.{done.action}", "room_message", message.id,
                  room=room.slug)


def _on_member(session: Session, actor: Actor, state: RoomStateView, done: Moderated,
               **given: Any) -> None:
    """`mute`, `unmute` or `kick` a member. The host and moderators cannot be muted or
    removed; a kick (`RoomBan`) and a mute (`RoomMute`) are rows, read by every process on
    every event, so a Redis restart or outage lifts neither."""
    room, user_id = done.room, _target_id(given["target"])
    target_user = session.get(User, user_id)
    if target_user is None:
        raise NotFound("No such user.")
    if done.action != "unmute" and not may_be_restricted(Actor(user=target_user), room):
        raise Forbidden("The host and moderators cannot be muted or removed.")
    if done.action == "mute":
        if session.get(RoomMute, (room.id, user_id)) is None:
            session.add(RoomMute(room_id=room.id, user_id=user_id, issued_by_id=actor.id))
            session.flush()
    elif done.action == "unmute":
        session.execute(delete(RoomMute).where(RoomMute.room_id == room.id,
                                               RoomMute.user_id == user_id))
    elif session.get(RoomBan, (room.id, user_id)) is None:
        session.add(RoomBan(room_id=room.id, user_id=user_id, issued_by_id=actor.id))
        session.flush()
    done.user_id = user_id
    record_action(session, actor, f"room.{done.action}", "user", user_id, room=room.slug)


def _room_changed(session: Session, actor: Actor, done: Moderated) -> None:
    done.changed_room = True
    record_action(session, actor, f"room.{done.action}", "room", done.room.id, **done.details)


def _lock(session: Session, actor: Actor, state: RoomStateView, done: Moderated,
          **given: Any) -> None:
    """`lock` (no new joiners; only the host and moderators speak) or `unlock`."""
    done.room.is_locked = done.action == "lock"
    _room_changed(session, actor, done)


def _slow_mode(session: Session, actor: Actor, state: RoomStateView, done: Moderated,
               **given: Any) -> None:
    """`slow_mode`: at most one message per member every `seconds` (0 ends it)."""
    seconds = given["seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not (
        0 <= seconds <= SLOW_MODE_MAX
    ):
        raise Invalid({"seconds": [f"A whole number of seconds from 0 to {SLOW_MODE_MAX}."]})
    done.room.slow_mode_seconds = seconds
    done.details["seconds"] = seconds
    _room_changed(session, actor, done)


def _close(session: Session, actor: Actor, state: RoomStateView, done: Moderated,
           **given: Any) -> None:
    """`close` the room for good (closing it twice changes nothing)."""
    if done.room.status != RoomStatus.CLOSED:
        done.room.status = RoomStatus.CLOSED.value
        done.room.closed_at = utcnow()
    _room_changed(session, actor, done)


_ACTIONS: dict[str, Callable[..., None]] = {
    "remove_message": _on_message, "release": _on_message,
    "mute": _on_member, "unmute": _on_member, "kick": _on_member,
    "lock": _lock, "unlock": _lock, "slow_mode": _slow_mode, "close": _close,
}
MODERATE_ACTIONS = frozenset(_ACTIONS)


# --- retention ------------------------------------------------------------------------------


def held_message_ids(session: Session) -> set[int]:
    """Ids of room messages something keeps as evidence past retention: asked through the
    `retention_holds` signal (moderation answers with messages under an open report), so the
    core never reads another package's tables. Nobody listening: nothing is held."""
    held: set[int] = set()
    for _receiver, ids in signals.retention_holds.send("room_message", session=session):
        held.update(int(i) for i in ids or ())
    return held


def purge_expired_messages(
    session: Session,
    now: dt.datetime,
    retention_days: int,
    protected: Callable[[Session], set[int]] | Iterable[int] | None = None,
) -> int:
    """Delete the messages of rooms closed more than `retention_days` ago; returns how many.

    Messages under an open report are kept (evidence for the member who reported): pass
    `protected` (ids, or a callable of the session returning ids); by default they are read
    through `held_message_ids` (moderation holds those under an open report). A `forum purge-rooms`
    command (or a timer) calls this with FORUM_ROOM_RETENTION_DAYS and commits.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    cutoff = now - dt.timedelta(days=retention_days)
    if protected is None:
        keep = held_message_ids(session)
    elif callable(protected):
        keep = set(protected(session))
    else:
        keep = set(protected)
    expired_rooms = select(Room.id).where(
        Room.status == RoomStatus.CLOSED.value, Room.closed_at.is_not(None), Room.closed_at < cutoff
    )
    statement = delete(RoomMessage).where(RoomMessage.room_id.in_(expired_rooms))
    if keep:
        statement = statement.where(RoomMessage.id.not_in(sorted(keep)))
    result = session.execute(statement.execution_options(synchronize_session=False))
    return rows_affected(result)
