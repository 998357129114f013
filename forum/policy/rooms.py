"""Who may do what in a room: host and moderator powers, private-room access, joining,
reading the history and one message of it. The rules the socket door, the API, the pages
and moderation's report page all ask (moderation reaches rooms only through here).

Kicks (`RoomBan`) and room mutes (`RoomMute`) live in the database only, so neither a Redis
restart nor a Redis outage lifts them or makes them unanswerable (issue #15). The `state`
the callers pass (their room state, or None) is no longer asked about kicks.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from forum import policy
from forum.errors import Forbidden, Locked, NotFound, RoomClosed
from forum.models.room import (
    Room,
    RoomBan,
    RoomMessage,
    RoomMessageStatus,
    RoomMute,
    RoomParticipant,
    RoomStatus,
)
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.policy.requirements import ActsAsAdmin, HostsRoom, MayBeRestricted, MayModerateRoom, On


class KickState(Protocol):
    def is_kicked(self, room_id: int, user_id: int) -> bool: ...


def is_admin(actor: Actor) -> bool:
    """`requirements.ActsAsAdmin`."""
    return ActsAsAdmin(actor)


def is_host(actor: Actor, room: Room) -> bool:
    """The room's host, with the second factor her staff powers need
    (`requirements.HostsRoom`)."""
    return HostsRoom(actor, On(host_id=room.host_id))


def may_moderate(actor: Actor, room: Room) -> bool:
    """Hosts moderate their room; moderators and admins any room
    (`requirements.MayModerateRoom`)."""
    return MayModerateRoom(actor, On(host_id=room.host_id))


def may_be_restricted(target: Actor, room: Room) -> bool:
    """May `target` be muted or removed from the room? Not its host, nor anyone whose role
    grants room moderation (whether or not her second factor is in place yet)
    (`requirements.MayBeRestricted`)."""
    return MayBeRestricted(target, On(host_id=room.host_id))


def in_private_room(session: Session, actor: Actor, room: Room) -> bool:
    if actor.id is None:
        return False
    if actor.id == room.host_id:
        return True
    return session.get(RoomParticipant, (room.id, actor.id)) is not None


def check_may_join(session: Session, actor: Actor, room: Room, state: KickState, *,
                   kicked: bool | None = None, participant: bool | None = None) -> None:
    """Raise the reason the actor may not enter the room now (capacity is the caller's:
    it is checked atomically when the socket takes its place). A caller that read them in
    this unit of work already passes whether a `RoomBan` keeps her out (`kicked`) and
    whether she is one of the room's participants (`participant`); otherwise they are read
    here."""
    user = actor.require_user()
    staff = may_moderate(actor, room)
    if room.is_private:
        inside = (actor.id == room.host_id or participant) if participant is not None \
            else in_private_room(session, actor, room)
        if not inside:
            raise NotFound("No such room.")
    if room.status == RoomStatus.CLOSED:
        raise RoomClosed("This room is closed.")
    if room.status == RoomStatus.SCHEDULED and not staff:
        raise RoomClosed("This room has not opened yet.")
    if kicked if kicked is not None else is_kicked(session, room, user.id, state):
        raise Forbidden("You were removed from this room and cannot join it again.")
    if room.is_locked and not staff:
        raise Locked("This room is locked: no one new can join.")


def is_kicked(session: Session, room: Room, user_id: int, state: KickState | None = None) -> bool:
    """Kicked, as the database remembers (`RoomBan`: the one record, whatever Redis does)."""
    return session.get(RoomBan, (room.id, user_id)) is not None


def is_muted(session: Session, room: Room, user_id: int) -> bool:
    """Muted in this room by its host or a moderator (`RoomMute`)."""
    return session.get(RoomMute, (room.id, user_id)) is not None


def check_may_read(
    session: Session, actor: Actor, room: Room, state: KickState | None
) -> None:
    """History is for the room's participants (and its host) and moderators."""
    user = actor.require_user()
    if actor.can(Permission.ROOM_MODERATE) or user.id == room.host_id:
        return
    if room.is_private and not in_private_room(session, actor, room):
        raise NotFound("No such room.")
    if session.get(RoomParticipant, (room.id, user.id)) is None:
        raise Forbidden("Join the room to read its messages.")
    if is_kicked(session, room, user.id, state):
        raise Forbidden("You were removed from this room.")


def visible_messages(actor: Actor, room: Room) -> Select[Any]:
    """`(RoomMessage, User)` rows of `room` that `actor` may read, once `check_may_read` let
    her in: the one rule for the history, the report page and `POST /reports`.

    Removed messages for no one (moderators reach them through the review queue); held
    ones for the host, moderators and their author; published ones for everyone, except
    *named* messages of someone blocked either way with a viewer not on duty in this room
    (`forum.policy`'s block rule: anonymous messages are never touched by a block).
    """
    return _visible(viewer_kind(actor, room), room.id, actor.id)


def viewer_kind(actor: Actor, room: Room) -> tuple[bool, bool, bool]:
    """What `visible_messages` asks of the viewer besides her id: may she moderate the
    room, is she signed in, is she on duty there."""
    return (may_moderate(actor, room), actor.is_authenticated,
            policy.has_duty(actor, host_id=room.host_id))


def _visible(kind: tuple[bool, bool, bool], room_id: Any, viewer: Any) -> Select[Any]:
    staff, signed_in, on_duty = kind
    query = select(RoomMessage, User).outerjoin(User, User.id == RoomMessage.author_id).where(
        RoomMessage.room_id == room_id, RoomMessage.status != RoomMessageStatus.REMOVED.value
    )
    if not staff:
        query = query.where(
            or_(
                RoomMessage.status == RoomMessageStatus.PUBLISHED.value,
                RoomMessage.author_id == viewer,
            )
        )
    return query.where(
        policy.not_hidden_by_block_sql(
            RoomMessage.author_id, RoomMessage.is_anonymous,
            signed_in=signed_in, on_duty=on_duty, viewer=viewer,
        )
    )


def visible_messages_shape(kind: tuple[bool, bool, bool]) -> Select[Any]:
    """`visible_messages` for one kind of viewer (`viewer_kind`), with the room and the
    viewer as the bound parameters `room_id` and `viewer` (a signed-in viewer's id), so a
    caller can build its statement once per kind."""
    return _visible(kind, bindparam("room_id"), bindparam("viewer"))


def may_read_message(
    session: Session, actor: Actor, message_id: int, state: KickState | None = None
) -> bool:
    """May `actor` read this room message now? Exactly when it is in her history of its
    room: `check_may_read` (a participant, not removed from the room; moderators and the
    host always) and `visible_messages`. Moderators see every message, removed ones too."""
    message = session.get(RoomMessage, message_id)
    if message is None:
        return False
    if actor.can(Permission.ROOM_MODERATE):
        return True
    room = session.get(Room, message.room_id)
    if room is None or actor.user is None:
        return False
    try:
        check_may_read(session, actor, room, state)
    except (Forbidden, NotFound):
        return False
    found = session.execute(
        visible_messages(actor, room).where(RoomMessage.id == message_id).limit(1)
    ).first()
    return found is not None


