"""Sanctions: warn, mute, suspend and ban, as time ranges (`ends_at` None is permanent).

The core enforces them on every write and sign-in (`forum.standing`); here they are
issued, listed and lifted. Suspension and ban also cut every open session at once, and a ban
remembers the member's network fingerprint so new accounts from it are held for review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import signals
from forum.audit import record_action
from forum.db import utcnow
from forum.errors import Forbidden, Invalid, NotFound
from forum.models.safety import Sanction, SanctionKind
from forum.models.user import Role, User
from forum.policy import Actor, Permission
from forum.shapes import iso, user_json
from forum.standing import revoke_all_tokens

#: The longest time-limited sanction: ten years (longer than that, make it permanent).
MAX_HOURS = 24 * 365 * 10
REASON_MAX = 2000


def issue_sanction(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    kind: str,
    duration_hours: int | None,
    reason: str,
    review_item_id: int | None = None,
) -> Sanction:
    """Sanction a member. Moderators sanction members; only admins sanction staff; nobody
    sanctions themselves. `duration_hours` None means permanent."""
    actor.require(Permission.SANCTION_ISSUE)
    if kind not in {k.value for k in SanctionKind}:
        raise Invalid({"kind": ["Use 'warn', 'mute', 'suspend' or 'ban'."]})
    if duration_hours is not None and not 1 <= duration_hours <= MAX_HOURS:
        raise Invalid({"duration_hours": [f"From 1 to {MAX_HOURS} hours, or leave it out for permanent."]})
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise Invalid({"reason": [f"At most {REASON_MAX} characters."]})
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    if user.id == actor.id:
        raise Invalid({"user_id": ["You cannot sanction your own account."]})
    if user.is_staff and actor.role is not Role.ADMIN:
        raise Forbidden("Only an admin can sanction a staff account.")
    now = utcnow()
    sanction = Sanction(
        user_id=user.id,
        kind=kind,
        reason=reason,
        issued_by_id=actor.id,
        network_fingerprint=user.network_fingerprint if kind == SanctionKind.BAN else None,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=duration_hours) if duration_hours is not None else None,
        created_at=now,
    )
    session.add(sanction)
    session.flush()
    revoked = 0
    if kind in {SanctionKind.SUSPEND, SanctionKind.BAN}:
        revoked = revoke_all_tokens(session, user.id)
    record_action(
        session, actor, "sanction.issue", "user", user.id,
        sanction_id=sanction.id, kind=kind, duration_hours=duration_hours, reason=reason,
        tokens_revoked=revoked, review_item_id=review_item_id,
    )
    if kind != SanctionKind.WARN:
        signals.account_restricted.send(user.id, kind=kind, ends_at=sanction.ends_at)
    signals.sanction_issued.send(user.id, session=session, sanction_id=sanction.id)
    return sanction


def list_sanctions(session: Session, actor: Actor, user_id: int) -> list[Sanction]:
    """Every sanction a member ever had, newest first (lifted and ended ones too)."""
    actor.require(Permission.SANCTION_ISSUE)
    if session.get(User, user_id) is None:
        raise NotFound("No such user.")
    return list(
        session.scalars(
            select(Sanction).where(Sanction.user_id == user_id).order_by(Sanction.id.desc())
        )
    )


def lift_sanction(session: Session, actor: Actor, sanction_id: int) -> Sanction:
    """End a sanction early; the row stays, with `lifted_at`, so the history is kept.
    Lifting a lifted sanction changes nothing."""
    actor.require(Permission.SANCTION_ISSUE)
    sanction = session.get(Sanction, sanction_id)
    if sanction is None:
        raise NotFound("No such sanction.")
    target = session.get(User, sanction.user_id)
    if target is not None and target.is_staff and actor.role is not Role.ADMIN:
        raise Forbidden("Only an admin can change a staff account's sanctions.")
    if sanction.lifted_at is None:
        sanction.lifted_at = utcnow()
        sanction.lifted_by_id = actor.id
        record_action(session, actor, "sanction.lift", "user", sanction.user_id,
                      sanction_id=sanction.id, kind=sanction.kind)
        session.flush()
    return sanction


def is_active(sanction: Sanction, now: dt.datetime | None = None) -> bool:
    """Started, not ended, not lifted."""
    now = now or utcnow()
    return (
        sanction.lifted_at is None
        and sanction.starts_at <= now
        and (sanction.ends_at is None or sanction.ends_at > now)
    )


def sanction_json(sanction: Sanction, issued_by: User | None = None) -> dict[str, Any]:
    """A sanction as moderators see it."""
    return {
        "id": sanction.id,
        "user_id": sanction.user_id,
        "kind": sanction.kind,
        "reason": sanction.reason,
        "starts_at": iso(sanction.starts_at),
        "ends_at": iso(sanction.ends_at),
        "lifted_at": iso(sanction.lifted_at),
        "active": is_active(sanction),
        "issued_by": user_json(issued_by),
    }


def sanctions_json(session: Session, rows: list[Sanction]) -> list[dict[str, Any]]:
    """Several sanctions, with who issued each."""
    ids = {s.issued_by_id for s in rows if s.issued_by_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [sanction_json(s, users.get(s.issued_by_id) if s.issued_by_id else None) for s in rows]
