"""Private support: a member asks for a one-to-one conversation, a counsellor accepts, and a
private room opens for the two of them.

Acceptance is a conditional update (`WHERE status = 'waiting'`), so when two counsellors press
"accept" at once exactly one wins and the other gets 409, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, select, update
from sqlalchemy.orm import Session

from forum import policy
from forum.audit import record_action
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.models.room import Room, RoomParticipant, RoomStatus, SupportRequest, SupportStatus
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.services.rooms import room_json, user_json
from forum.standing import assert_may_act

TOPIC_MAX = 200
PRIVATE_CAPACITY = 2


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
    }
    if member is not None:
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
    request = SupportRequest(member_id=user.id, topic=text, status=SupportStatus.WAITING.value)
    session.add(request)
    session.flush()
    return request


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
    return [request_json(request, member, now) for request, member in rows]


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
    room = Room(
        slug=f"support-{secrets.token_urlsafe(9).replace('_', 'x').replace('-', 'y').lower()}",
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
    if not taken.rowcount:  # type: ignore[attr-defined]
        raise Conflict("This request was already taken or cancelled.")
    session.refresh(request)
    session.add(RoomParticipant(room_id=room.id, user_id=request.member_id))
    session.add(RoomParticipant(room_id=room.id, user_id=counsellor.id))
    session.flush()
    record_action(session, actor, "support.accept", "support_request", request.id, room=room.slug)
    member = session.get(User, request.member_id)
    assert member is not None
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
