"""Private support: a member asks for a one-to-one conversation, a counsellor accepts, and a
private room opens for the two of them. Or the other way round, after crisis language in a
room: the host or a counsellor offers the writer a private conversation (`offer`); the
request is made on her behalf, she accepts by joining the room or declines, and the
counsellor is never shown who she is: only "the person who wrote this".

Acceptance is a conditional update (`WHERE status = 'waiting'`), so when two counsellors press
"accept" at once exactly one wins and the other gets 409, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, select, true, update
from sqlalchemy.orm import Session

from forum import policy
from forum.audit import record_action
from forum.db import rows_affected, utcnow
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.models.notification import NotificationKind
from forum.models.room import (
    Room,
    RoomMessage,
    RoomMessageStatus,
    RoomParticipant,
    RoomStatus,
    SupportRequest,
    SupportStatus,
)
from forum.models.user import Role, User
from forum.policy import Actor, Permission
from forum.screening import Submission, installed_screener
from forum.services import notifications
from forum.services.rooms import room_json, user_json
from forum.standing import assert_may_act

TOPIC_MAX = 200
PRIVATE_CAPACITY = 2
#: How the counsellor is told of the member an offer reached, whoever she is.
WRITER = "the person who wrote this"
#: Slugs of private support rooms start so (`_private_room`).
PRIVATE_PREFIX = "support-"


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def request_json(
    request: SupportRequest, member: User | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """A support request; counsellors also see who asks and how long she has waited."""
    answer: dict[str, Any] = {
        "id": request.id,
        "status": request.status,
        "topic": request.topic,
        "created_at": _iso(request.created_at),
        "accepted_at": _iso(request.accepted_at),
        "offered": bool(request.offered),
        "crisis": bool(request.crisis),
    }
    if request.offered:
        # Made on her behalf after words she may have written anonymously: never named.
        answer["about"] = WRITER
        if member is not None:
            answer["member"] = None
    elif member is not None:
        answer["member"] = user_json(member)
    if now is not None:
        answer["waiting_seconds"] = max(0, int((now - request.created_at).total_seconds()))
    return answer


def request_support(session: Session, actor: Actor, *, topic: str | None = None) -> SupportRequest:
    """A member asks for private support. Asking again while a request waits returns the
    waiting one rather than queueing her twice."""
    user = actor.require_user()
    assert_may_act(session, user)
    text = " ".join((topic or "").split())
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf"})
    if len(text) > TOPIC_MAX:
        raise Invalid({"topic": [f"At most {TOPIC_MAX} characters."]})
    waiting = session.scalar(
        select(SupportRequest).where(
            SupportRequest.member_id == user.id,
            SupportRequest.status == SupportStatus.WAITING.value,
        )
    )
    if waiting is not None:
        return waiting
    request = SupportRequest(member_id=user.id, topic=text, status=SupportStatus.WAITING.value,
                             crisis=_shows_crisis(session, user, text))
    session.add(request)
    session.flush()
    return request


def _shows_crisis(session: Session, user: User, text: str) -> bool:
    """Whether the topic shows crisis language (the screener's crisis detection)."""
    if not text:
        return False
    screening = installed_screener().screen(
        session, Submission(author=user, text=text, kind="check"))
    return bool(screening.is_crisis)


def _waiting(actor: Actor) -> Select[Any]:
    """The waiting requests `actor` (a counsellor) is shown, with their members: a request
    carries its member's handle, so it is her named content and `forum.policy`'s block rule
    applies to it — one blocked either way with the counsellor is left out. No duty
    exception: taking a request is an offer to talk alone with her, not a moderation duty,
    and `accept` refuses it (so an admin is not shown a request she may not take). The
    REST list and the `support_request` event both ask here."""
    return (
        select(SupportRequest, User)
        .join(User, User.id == SupportRequest.member_id)
        .where(
            SupportRequest.status == SupportStatus.WAITING.value,
            policy.not_hidden_by_block_sql(
                SupportRequest.member_id, false(), signed_in=actor.is_authenticated,
                on_duty=False, viewer=actor.id,
            ),
        )
    )


def waiting_requests(session: Session, actor: Actor, now: dt.datetime) -> list[dict[str, Any]]:
    """The waiting requests, oldest first, for counsellors (`_waiting`)."""
    actor.require(Permission.SUPPORT_ACCEPT)
    rows = session.execute(
        _waiting(actor).order_by(SupportRequest.created_at, SupportRequest.id).limit(200)
    ).all()
    # Offers still waiting for her answer: never named, so no block rule applies (a block
    # deciding what is listed would tell the counsellor who she is).
    offered = session.scalars(
        select(SupportRequest)
        .where(SupportRequest.status == SupportStatus.OFFERED.value,
               SupportRequest.offered == true())
        .order_by(SupportRequest.created_at, SupportRequest.id)
        .limit(200)
    ).all()
    listed = [(request, member) for request, member in rows] + [(r, None) for r in offered]
    # Someone who may be at risk first (born from a crisis offer, or crisis in the topic),
    # then the longest waiting.
    listed.sort(key=lambda pair: (not (pair[0].offered or pair[0].crisis),
                                  pair[0].created_at, pair[0].id))
    return [request_json(request, member, now) if not request.offered
            else request_json(request, None, now) for request, member in listed]


def my_waiting_requests(session: Session, actor: Actor) -> list[int]:
    """Ids of her own requests still waiting for a counsellor (the page listens for them)."""
    if actor.id is None:
        return []
    return list(session.scalars(select(SupportRequest.id).where(
        SupportRequest.member_id == actor.id,
        SupportRequest.status == SupportStatus.WAITING.value).order_by(SupportRequest.id)))


def staff_online(session: Session, state: Any) -> bool:
    """Whether a counsellor, moderator or admin has a live connection now (`state`: the
    shared room state, which knows every process's sockets)."""
    if state is None:
        return False
    staff = session.scalars(
        select(User.id).where(User.role.in_([Role.COUNSELLOR.value, Role.MODERATOR.value,
                                             Role.ADMIN.value])).limit(500)
    ).all()
    return any(state.sockets_of(user_id) for user_id in staff)


def counsellors_kept_from(
    session: Session, request: SupportRequest, *, require_totp: bool
) -> set[int]:
    """Who must not hear of this waiting request (the `support_request` event): of the
    few blocked either way with its member, those whose `_waiting` list leaves it out."""
    apart = session.scalars(
        select(User).where(User.id.in_(policy.hidden_authors_sql(request.member_id)))
    ).all()
    kept: set[int] = set()
    for user in apart:
        shown = _waiting(Actor.of(user, require_totp=require_totp)).where(
            SupportRequest.id == request.id
        )
        if session.execute(shown.limit(1)).first() is None:
            kept.add(user.id)
    return kept


def load_request(session: Session, request_id: int) -> SupportRequest:
    request = session.get(SupportRequest, request_id)
    if request is None:
        raise NotFound("No such support request.")
    return request


def _private_room(session: Session, counsellor: User, now: dt.datetime) -> Room:
    """A private, open room for a counsellor and one member."""
    token = secrets.token_urlsafe(9).replace("_", "x").replace("-", "y").lower()
    room = Room(
        slug=f"{PRIVATE_PREFIX}{token}",
        title="Private support",
        description="",
        host_id=counsellor.id,
        status=RoomStatus.OPEN.value,
        opened_at=now,
        capacity=PRIVATE_CAPACITY,
        is_private=True,
        is_locked=False,
        slow_mode_seconds=0,
    )
    session.add(room)
    session.flush()
    return room


@dataclass(frozen=True, slots=True)
class Accepted:
    """An accepted request and the private room opened for it."""

    request: SupportRequest
    room: Room
    member: User
    counsellor: User


def accept(session: Session, actor: Actor, request_id: int) -> Accepted:
    """A counsellor takes a waiting request: a private, open room for the two of them."""
    actor.require(Permission.SUPPORT_ACCEPT)
    counsellor = actor.require_user()
    request = load_request(session, request_id)
    if request.member_id == counsellor.id:
        raise Forbidden("You cannot accept your own request.")
    if session.scalar(select(policy.blocked_either_way_sql(request.member_id, counsellor.id))):
        raise Forbidden("Another counsellor will take this request.")
    now = utcnow()
    room = _private_room(session, counsellor, now)
    taken = session.execute(
        update(SupportRequest)
        .where(
            SupportRequest.id == request.id,
            SupportRequest.status == SupportStatus.WAITING.value,
        )
        .values(
            status=SupportStatus.ACCEPTED.value,
            counsellor_id=counsellor.id,
            room_id=room.id,
            accepted_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if not rows_affected(taken):
        raise Conflict("This request was already taken or cancelled.")
    session.refresh(request)
    session.add(RoomParticipant(room_id=room.id, user_id=request.member_id))
    session.add(RoomParticipant(room_id=room.id, user_id=counsellor.id))
    session.flush()
    record_action(session, actor, "support.accept", "support_request", request.id, room=room.slug)
    member = session.get(User, request.member_id)
    assert member is not None
    notifications.notify(session, member.id, NotificationKind.SUPPORT_ACCEPTED,
                         request_id=request.id, room_id=room.id)
    return Accepted(request=request, room=room, member=member, counsellor=counsellor)


def cancel(session: Session, actor: Actor, request_id: int) -> SupportRequest:
    """The member withdraws her waiting request (counsellors may also drop one)."""
    user = actor.require_user()
    request = load_request(session, request_id)
    is_owner = request.member_id == user.id
    if not is_owner and not actor.can(Permission.SUPPORT_ACCEPT):
        raise NotFound("No such support request.")
    if request.status != SupportStatus.WAITING:
        raise Conflict("Only a waiting request can be cancelled.")
    request.status = SupportStatus.CANCELLED.value
    if not is_owner:
        record_action(session, actor, "support.cancel", "support_request", request.id)
    return request


def accepted_json(done: Accepted, participant_count: int = 0) -> dict[str, Any]:
    """`{request, room}` as the accept answer and the `support_accepted` event show it."""
    return {
        "request": request_json(done.request),
        "room": room_json(done.room, done.counsellor, participant_count),
    }


# --- offers after crisis language in a room ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Offered:
    """An offer made: the request (on her behalf), its private room, and whom to tell
    (`member_id` None: a block between the two keeps the offer from her, silently)."""

    request: SupportRequest
    room: Room
    member_id: int | None


def offer(session: Session, actor: Actor, room: Room, message_id: Any) -> Offered:
    """The room's host or a counsellor offers the writer of a message in `room` a private
    conversation.

    Made the same way whoever wrote it, named or anonymous: the request is hers (made on her
    behalf, listed first), its room is private to the two of them, and nothing here answers
    differently for one writer than for another. A block either way between the writer and
    the counsellor keeps the offer from her (she is not told, and cannot join), yet the
    counsellor's answer is the same, so an anonymous writer is not unmasked by it.
    """
    counsellor = actor.require_user()
    if not (actor.can(Permission.SUPPORT_ACCEPT) or room.host_id == counsellor.id):
        raise Forbidden("Only the room's host and counsellors can offer private support.")
    if isinstance(message_id, bool) or not isinstance(message_id, int):
        raise Invalid({"message": ["Name the message (its id)."]})
    message = session.get(RoomMessage, message_id)
    if (message is None or message.room_id != room.id
            or message.status == RoomMessageStatus.REMOVED):
        raise NotFound("No such message.")
    author_id = message.author_id
    if author_id == counsellor.id:
        raise Invalid({"message": ["This is your own message."]})
    if author_id is None:  # the writer erased her account: nobody to offer to
        raise NotFound("No such message.")
    again = session.scalar(select(SupportRequest).where(
        SupportRequest.member_id == author_id, SupportRequest.counsellor_id == counsellor.id,
        SupportRequest.offered == true(),
        SupportRequest.status == SupportStatus.OFFERED.value))
    if again is not None and again.room_id is not None:  # one open offer per pair
        room_again = session.get(Room, again.room_id)
        if room_again is not None:
            joined = session.scalar(select(RoomParticipant.user_id).where(
                RoomParticipant.room_id == room_again.id,
                RoomParticipant.user_id == author_id))
            return Offered(request=again, room=room_again,
                           member_id=author_id if joined is not None else None)
    private = _private_room(session, counsellor, utcnow())
    request = SupportRequest(
        member_id=author_id, topic="", status=SupportStatus.OFFERED.value,
        counsellor_id=counsellor.id, room_id=private.id, offered=True, crisis=True,
    )
    session.add(request)
    session.add(RoomParticipant(room_id=private.id, user_id=counsellor.id))
    kept_apart = bool(session.scalar(
        select(policy.blocked_either_way_sql(author_id, counsellor.id))))
    if not kept_apart:
        session.add(RoomParticipant(room_id=private.id, user_id=author_id))
    session.flush()
    record_action(session, actor, "support.offer", "support_request", request.id,
                  room=private.slug, message=message.id)
    if not kept_apart:
        notifications.notify(session, author_id, NotificationKind.SUPPORT_OFFERED,
                             request_id=request.id, room_id=private.id)
    return Offered(request=request, room=private,
                   member_id=None if kept_apart else author_id)


def offered_json(session: Session, done: Offered) -> dict[str, Any]:
    """`{request, room}`, as the `support_offered` event shows it to her."""
    counsellor = session.get(User, done.room.host_id) if done.room.host_id else None
    return {"request": request_json(done.request), "room": room_json(done.room, counsellor, 0)}


def decline(session: Session, actor: Actor, request_id: Any) -> SupportRequest:
    """She says no to an offer: the request is `declined` and its private room closed."""
    user = actor.require_user()
    if isinstance(request_id, bool) or not isinstance(request_id, int):
        raise Invalid({"request": ["Name the request (its id)."]})
    request = session.get(SupportRequest, request_id)
    if request is None or request.member_id != user.id or not request.offered:
        raise NotFound("No such support request.")
    if request.status != SupportStatus.OFFERED:
        raise Conflict("This offer was already answered.")
    request.status = SupportStatus.DECLINED.value
    if request.room_id is not None:
        room = session.get(Room, request.room_id)
        if room is not None and room.status != RoomStatus.CLOSED:
            room.status = RoomStatus.CLOSED.value
            room.closed_at = utcnow()
    session.flush()
    return request


def concealed_member(session: Session, room: Room | int, slug: str | None = None) -> int | None:
    """The member a private room born from an offer keeps unnamed (None for other rooms)."""
    room_id = room if isinstance(room, int) else room.id
    slug = slug if slug is not None else (room.slug if isinstance(room, Room) else None)
    if slug is not None and not slug.startswith(PRIVATE_PREFIX):
        return None
    return session.scalar(
        select(SupportRequest.member_id)
        .where(SupportRequest.room_id == room_id, SupportRequest.offered == true())
        .limit(1)
    )


def joined_offer_room(session: Session, room: Room, user_id: int) -> SupportRequest | None:
    """She joined the room of an offer made to her: the offer is accepted."""
    if not room.is_private:
        return None
    request = session.scalar(
        select(SupportRequest).where(
            SupportRequest.room_id == room.id,
            SupportRequest.member_id == user_id,
            SupportRequest.offered == true(),
            SupportRequest.status == SupportStatus.OFFERED.value,
        )
    )
    if request is not None:
        request.status = SupportStatus.ACCEPTED.value
        request.accepted_at = utcnow()
    return request


def writer_shown() -> dict[str, Any]:
    """How a concealed member appears in her private room's member list."""
    return {"id": None, "handle": WRITER, "role": "member"}
