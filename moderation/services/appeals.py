"""Appeals: a sanctioned member asks for a second look; a different moderator decides.

One appeal per sanction, within `forum.standing.APPEAL_WINDOW` (20 days) of the sanction. A
suspended or banned member appeals without signing in (she proves who she is with her
password, `POST /auth/appeal`), so the door must not need an account in good standing. The
moderator who issued a sanction never decides its appeal, and nobody decides her own.
Overturning lifts the sanction (the row keeps its history). Each step is audited; the
appellant never learns who reported her or what they wrote: she sees her sanction's reason,
the decision and its note.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum import signals
from forum.audit import record_action
from forum.db import utcnow
from forum.errors import Conflict, Forbidden, Invalid, NotFound
from forum.models.safety import Appeal, AppealStatus, Sanction
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.shapes import iso, user_json
from forum.standing import appealable_until
from moderation.services.sanctions import is_active, lift_sanction, sanction_json

TEXT_MAX = 2000
NOTE_MAX = 2000
DECISIONS = {"uphold": AppealStatus.UPHELD, "overturn": AppealStatus.OVERTURNED}


def appeal_json(appeal: Appeal) -> dict[str, Any]:
    """An appeal as its appellant sees it (no moderator named)."""
    return {
        "id": appeal.id,
        "status": appeal.status,
        "created_at": iso(appeal.created_at),
        "decided_at": iso(appeal.decided_at),
        "note": appeal.note or None,
    }


def my_sanctions(session: Session, user_id: int) -> list[dict[str, Any]]:
    """All of her sanctions, newest first, each with its appeal and until when she may file
    one. Who issued it is not shown to her."""
    rows = list(
        session.scalars(
            select(Sanction).where(Sanction.user_id == user_id).order_by(Sanction.id.desc())
        )
    )
    appeals = {
        a.sanction_id: a
        for a in session.scalars(
            select(Appeal).where(Appeal.sanction_id.in_([s.id for s in rows]))
        )
    } if rows else {}
    return [
        {
            "id": s.id,
            "kind": s.kind,
            "reason": s.reason,
            "created_at": iso(s.created_at),
            "ends_at": iso(s.ends_at),
            "lifted_at": iso(s.lifted_at),
            "active": is_active(s),
            "appeal": appeal_json(appeals[s.id]) if s.id in appeals else None,
            "appealable_until": iso(appealable_until(s)),
        }
        for s in rows
    ]


def file_appeal(session: Session, user: User, sanction_id: int, text: str) -> Appeal:
    """Appeal one of her own sanctions. Someone else's sanction is simply not found (its
    existence is not hers to learn); a second appeal is 409; after the window, 422."""
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": ["Say why the decision should be looked at again."]})
    if len(text) > TEXT_MAX:
        raise Invalid({"text": [f"At most {TEXT_MAX} characters."]})
    sanction = session.get(Sanction, sanction_id)
    if sanction is None or sanction.user_id != user.id:
        raise NotFound("No such sanction.")
    if session.scalar(select(Appeal.id).where(Appeal.sanction_id == sanction.id)) is not None:
        raise Conflict("This sanction has been appealed already; each sanction has one appeal.")
    if utcnow() > appealable_until(sanction):
        raise Invalid(
            {"sanction_id": ["The 20 days to appeal this sanction have passed."]},
            detail="Too late to appeal.",
        )
    appeal = Appeal(sanction_id=sanction.id, user_id=user.id, text=text,
                    status=AppealStatus.PENDING.value)
    session.add(appeal)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # two appeals at once: the second loses cleanly
        raise Conflict(
            "This sanction has been appealed already; each sanction has one appeal."
        ) from None
    record_action(session, Actor(user=user), "appeal.file", "sanction", sanction.id,
                  appeal_id=appeal.id, kind=sanction.kind)
    return appeal


def list_appeals(session: Session, actor: Actor, status: str | None) -> list[dict[str, Any]]:
    """The appeal queue, oldest first, with the sanction, its member and who issued it (a
    moderator can see whether she may decide it)."""
    actor.require(Permission.SANCTION_ISSUE)
    if status is not None and status not in {s.value for s in AppealStatus}:
        raise Invalid({"status": ["Use 'pending', 'upheld' or 'overturned'."]})
    query = select(Appeal, Sanction).join(Sanction, Sanction.id == Appeal.sanction_id)
    if status is not None:
        query = query.where(Appeal.status == status)
    rows = session.execute(query.order_by(Appeal.created_at, Appeal.id).limit(200)).all()
    ids = {s.user_id for _, s in rows} | {s.issued_by_id for _, s in rows if s.issued_by_id}
    ids |= {a.decided_by_id for a, _ in rows if a.decided_by_id}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [appeal_for_staff(a, s, users) for a, s in rows]


def appeal_for_staff(appeal: Appeal, sanction: Sanction, users: dict[int, User]) -> dict[str, Any]:
    """An appeal as moderators see it."""
    shown = sanction_json(sanction, users.get(sanction.issued_by_id or 0))
    shown["user"] = user_json(users.get(sanction.user_id))
    return {
        "id": appeal.id,
        "sanction": shown,
        "text": appeal.text,
        "created_at": iso(appeal.created_at),
        "status": appeal.status,
        "decided_at": iso(appeal.decided_at),
        "decided_by": user_json(users.get(appeal.decided_by_id or 0)),
        "note": appeal.note or None,
    }


def decide(
    session: Session, actor: Actor, appeal_id: int, *, decision: str, note: str
) -> dict[str, Any]:
    """Uphold or overturn. Not by the moderator who issued the sanction, nor by its member;
    overturning lifts the sanction. Decided once (a second decision is 409)."""
    actor.require(Permission.SANCTION_ISSUE)
    if decision not in DECISIONS:
        raise Invalid({"decision": ["Choose 'uphold' or 'overturn'."]})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid({"note": [f"At most {NOTE_MAX} characters."]})
    appeal = session.get(Appeal, appeal_id, with_for_update=True)
    if appeal is None:
        raise NotFound("No such appeal.")
    sanction = session.get(Sanction, appeal.sanction_id)
    if sanction is None:  # pragma: no cover - the appeal goes with its sanction (CASCADE)
        raise NotFound("No such appeal.")
    if actor.id == sanction.issued_by_id:
        raise Forbidden("Another moderator decides the appeal of a sanction you issued.")
    if actor.id == appeal.user_id:
        raise Forbidden("You cannot decide your own appeal.")
    if appeal.status != AppealStatus.PENDING:
        raise Conflict("This appeal has been decided already.")
    status = DECISIONS[decision]
    if status is AppealStatus.OVERTURNED:
        lift_sanction(session, actor, sanction.id)
    appeal.status = status.value
    appeal.decided_at = utcnow()
    appeal.decided_by_id = actor.id
    appeal.note = note
    session.flush()
    record_action(session, actor, "appeal.decide", "sanction", sanction.id,
                  appeal_id=appeal.id, decision=status.value, note=note)
    signals.appeal_decided.send(appeal.user_id, appeal_id=appeal.id, sanction_id=sanction.id,
                                status=status.value, session=session)
    users = {u.id: u for u in session.scalars(
        select(User).where(User.id.in_({sanction.user_id, sanction.issued_by_id or 0, actor.id}))
    )}
    return appeal_for_staff(appeal, sanction, users)
