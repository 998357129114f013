"""Trauma-aware review: each moderator's own settings (categories she does not review, a soft
hourly cap of severe items) and the counts that pace her work.

What is counted is a number per moderator: items decided (severe or not) and reveals of
masked words. What she saw is never shown to anyone; admins read numbers only.
See README "Trauma-aware review" for the research these rest on and its limits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.db import utcnow
from forum.errors import Invalid
from forum.models.user import Role, User
from forum.policy import Actor, Permission
from forum.shapes import user_json
from moderation.models import Exposure, ModeratorCare, Priority

#: Categories a moderator may keep out of her queue, and what puts an item in each: reason
#: codes' heads, filter categories and report reasons.
CATEGORIES: dict[str, frozenset[str]] = {
    "intimate_images": frozenset({"intimate_images"}),
    "self_harm": frozenset({"self_harm", "crisis"}),
    "sexual": frozenset({"sexual_harassment"}),
    "threats": frozenset({"threat", "coercion"}),
}
#: Words that make an item severe beside its priority (crisis and urgent items always are).
SEVERE_WORDS = frozenset({"slur", "sexual_harassment", "hate"})
DEFAULT_HOURLY_CAP = 25
MAX_HOURLY_CAP = 500
#: Severe items decided in a row after which the queue offers a lighter one.
STREAK = 3
DECIDED, REVEALED = "decided", "revealed"


def _words(reason: dict[str, Any]) -> set[str]:
    code = str(reason.get("code") or "")
    return {code.split(":", 1)[0], str(reason.get("category") or ""),
            str(reason.get("reason") or "")} - {""}


def categories_of(reasons: list[dict[str, Any]]) -> list[str]:
    """The opt-out categories an item's reasons put it in."""
    words: set[str] = set()
    for reason in reasons:
        words |= _words(reason)
    return [name for name, marks in CATEGORIES.items() if words & marks]


def is_severe(priority: int, reasons: list[dict[str, Any]]) -> bool:
    """Crisis and urgent items, and anything in a category or with slurs, sexual harassment
    or hate, count against the hourly cap and the streak."""
    if priority <= Priority.URGENT:
        return True
    words: set[str] = set()
    for reason in reasons:
        words |= _words(reason)
    return bool(categories_of(reasons)) or bool(words & SEVERE_WORDS)


def settings_of(session: Session, user_id: int) -> dict[str, Any]:
    """Her settings (the defaults when she never changed them)."""
    row = session.get(ModeratorCare, user_id)
    if row is None:
        return {"opt_out": [], "hourly_cap": DEFAULT_HOURLY_CAP}
    return {"opt_out": [c for c in CATEGORIES if c in (row.opt_out or [])],
            "hourly_cap": row.hourly_cap}


def update_settings(
    session: Session, actor: Actor, *, opt_out: list[str] | None, hourly_cap: int | None
) -> dict[str, Any]:
    """Change her own settings; what is left out stays as it was."""
    actor.require(Permission.QUEUE_REVIEW)
    user_id = actor.require_user().id
    errors: dict[str, list[str]] = {}
    if opt_out is not None and not set(opt_out) <= set(CATEGORIES):
        errors["opt_out"] = [f"Use any of: {', '.join(CATEGORIES)}."]
    if hourly_cap is not None and not 1 <= hourly_cap <= MAX_HOURLY_CAP:
        errors["hourly_cap"] = [f"From 1 to {MAX_HOURLY_CAP} items an hour."]
    if errors:
        raise Invalid(errors)
    row = session.get(ModeratorCare, user_id)
    if row is None:
        row = ModeratorCare(user_id=user_id, opt_out=[], hourly_cap=DEFAULT_HOURLY_CAP)
        session.add(row)
    if opt_out is not None:
        row.opt_out = [c for c in CATEGORIES if c in opt_out]
    if hourly_cap is not None:
        row.hourly_cap = hourly_cap
    row.updated_at = utcnow()
    session.flush()
    return settings_of(session, user_id)


def _reviewers(session: Session) -> tuple[list[User], dict[int, set[str]]]:
    staff = list(session.scalars(
        select(User).where(User.role.in_([Role.MODERATOR.value, Role.ADMIN.value]))
        .order_by(User.handle)))
    opted = {row.user_id: set(row.opt_out or []) for row in session.scalars(select(ModeratorCare))}
    return staff, opted


def effective_opt_out(session: Session, user_id: int) -> tuple[frozenset[str], list[str]]:
    """The categories kept out of her queue, and those she opted out of that stay in it
    because no other moderator reviews them (an item nobody sees helps no one)."""
    chosen = settings_of(session, user_id)["opt_out"]
    if not chosen:
        return frozenset(), []
    staff, opted = _reviewers(session)
    kept = [c for c in chosen
            if not any(c not in opted.get(u.id, set()) for u in staff if u.id != user_id)]
    return frozenset(c for c in chosen if c not in kept), kept


def record(session: Session, user_id: int, kind: str, item_id: int, *, severe: bool) -> None:
    """Count one decision or one reveal. Only a reveal keeps its item (so the page shows her
    that item unmasked for the hour); a decision is a number and nothing more."""
    session.add(Exposure(user_id=user_id, kind=kind, severe=severe,
                         review_item_id=item_id if kind == REVEALED else None,
                         created_at=utcnow()))


def revealed_items(session: Session, user_id: int) -> set[int]:
    """Items whose masked words she asked to see in the last hour (shown to her unmasked)."""
    since = utcnow() - dt.timedelta(hours=1)
    return {i for i in session.scalars(
        select(Exposure.review_item_id).where(
            Exposure.user_id == user_id, Exposure.kind == REVEALED, Exposure.created_at >= since,
            Exposure.review_item_id.is_not(None)))}


def state(session: Session, user_id: int) -> dict[str, Any]:
    """Her pacing: severe items decided in the last hour against her cap (a prompt to pause
    at the cap, never a block) and whether her last decisions were all severe (the queue
    then offers a lighter item)."""
    mine = settings_of(session, user_id)
    since = utcnow() - dt.timedelta(hours=1)
    severe_hour = int(session.scalar(
        select(func.count(Exposure.id)).where(
            Exposure.user_id == user_id, Exposure.kind == DECIDED, Exposure.severe.is_(True),
            Exposure.created_at >= since)) or 0)
    recent = list(session.scalars(
        select(Exposure.severe).where(Exposure.user_id == user_id, Exposure.kind == DECIDED,
                                      Exposure.created_at >= since)
        .order_by(Exposure.created_at.desc(), Exposure.id.desc()).limit(STREAK)))
    streak = 0
    for severe in recent:
        if not severe:
            break
        streak += 1
    return {
        **mine,
        "severe_last_hour": severe_hour,
        "pause_suggested": severe_hour >= mine["hourly_cap"],
        "severe_streak": streak,
        "offer_lighter": streak >= STREAK,
    }


def _counts(session: Session, since: dt.datetime) -> dict[tuple[int, str, bool], int]:
    rows = session.execute(
        select(Exposure.user_id, Exposure.kind, Exposure.severe, func.count(Exposure.id))
        .where(Exposure.created_at >= since)
        .group_by(Exposure.user_id, Exposure.kind, Exposure.severe)
    ).all()
    return {(u, k, bool(s)): int(n) for u, k, s, n in rows}


def exposure_report(session: Session, actor: Actor) -> dict[str, Any]:
    """For admins: per moderator, how many items she decided and how many were severe (last
    day, last week) and how many reveals she asked for; and, per category, how many
    moderators still review it. Numbers only: never which items, never what was seen."""
    actor.require(Permission.EXPOSURE_READ)
    now = utcnow()
    day, week = _counts(session, now - dt.timedelta(days=1)), _counts(session, now - dt.timedelta(days=7))
    staff, opted = _reviewers(session)
    moderators = []
    for user in staff:
        def n(counts: dict[tuple[int, str, bool], int], kind: str, severe: bool | None,
              uid: int = user.id) -> int:
            return sum(v for (u, k, s), v in counts.items()
                       if u == uid and k == kind and (severe is None or s == severe))
        moderators.append({
            "moderator": user_json(user),
            "decided_last_day": n(day, DECIDED, None),
            "severe_last_day": n(day, DECIDED, True),
            "decided_last_week": n(week, DECIDED, None),
            "severe_last_week": n(week, DECIDED, True),
            "reveals_last_week": n(week, REVEALED, None),
        })
    coverage = {c: sum(1 for u in staff if c not in opted.get(u.id, set())) for c in CATEGORIES}
    return {"moderators": moderators, "reviewers_per_category": coverage}
