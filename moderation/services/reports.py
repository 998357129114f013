"""Reports: a member tells moderators about a post, a room message or an account.

A report keeps a snapshot of what was reported, as it was then, for the member's evidence
export; it puts the target in the review queue; `hide_from_me` blocks the author for the
reporter at once; and enough reports from distinct networks (or one moderator) hide a post or
room message until review (`auto_hide_weight` states the rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum import signals
from forum.audit import record_action
from forum.db import utcnow
from forum.errors import Conflict, Invalid, NotFound
from forum.models.board import Post, PostStatus
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.shapes import cursor_int, encode_cursor, iso
from forum.standing import assert_may_act
from moderation.models import DesiredOutcome, Report, ReportReason, ReportStatus, TargetType
from moderation.services import blocks, review, targets

NOTE_MAX = 2000
#: A reporter is *established* once her account is this old and has this many published posts.
ESTABLISHED_AGE = dt.timedelta(days=7)
ESTABLISHED_POSTS = 3


def create_report(
    session: Session,
    actor: Actor,
    *,
    target_type: str,
    target_id: int,
    reason: str,
    desired_outcome: str | None,
    note: str | None,
    auto_hide_at: int,
    network_fingerprint: str | None = None,
) -> Report:
    """File a report; 409 if this member already reported this target.

    `network_fingerprint` is the keyed HMAC of the network the request came from (never an
    address; the reporter's last known network when None). Content is hidden pending review
    once its reports weigh `auto_hide_at` (`auto_hide_weight`), and at once when a moderator
    reported it.
    """
    user = actor.require_user()
    assert_may_act(session, user)
    errors: dict[str, list[str]] = {}
    if target_type not in {t.value for t in TargetType}:
        errors["target_type"] = ["Use 'post', 'room_message' or 'user'."]
    if reason not in {r.value for r in ReportReason}:
        errors["reason"] = ["Choose one of the listed reasons."]
    if desired_outcome is not None and desired_outcome not in {d.value for d in DesiredOutcome}:
        errors["desired_outcome"] = ["Choose one of the listed outcomes."]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [f"At most {NOTE_MAX} characters."]
    if errors:
        raise Invalid(errors)
    target = targets.load_target(session, target_type, target_id)
    if target is None or not targets.may_see(session, actor, target):
        raise NotFound("There is nothing to report here.")
    if target.author_id == user.id:
        raise Invalid({"target_id": ["You cannot report yourself or your own words."]})
    duplicate = session.scalar(
        select(Report.id).where(
            Report.reporter_id == user.id,
            Report.target_type == target_type,
            Report.target_id == target_id,
        )
    )
    if duplicate is not None:
        raise Conflict("You have already reported this.")
    report = Report(
        reporter_id=user.id,
        target_type=target_type,
        target_id=target_id,
        target_user_id=target.author_id,
        reason=reason,
        desired_outcome=desired_outcome,
        note=note,
        status=ReportStatus.OPEN.value,
        snapshot=targets.snapshot(session, target, reveal=False),
        network_fingerprint=network_fingerprint or user.network_fingerprint,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError as exc:  # the same report sent twice at once
        raise Conflict("You have already reported this.") from exc

    if desired_outcome == DesiredOutcome.HIDE_FROM_ME:
        blocks.hide_from_me(session, actor, target)

    review.open_review(
        session,
        target,
        [{
            "source": "report",
            "code": f"report:{reason}",
            "reason": reason,
            "report_id": report.id,
            "desired_outcome": desired_outcome,
            "at": iso(report.created_at),
        }],
        targets.snapshot(session, target, reveal=True),
    )
    _maybe_hide(session, actor, target, auto_hide_at)
    if reason == ReportReason.SELF_HARM and target.type != TargetType.USER:
        # Someone may be at risk: counsellors hear of it as they would of crisis language.
        signals.crisis_detected.send(
            target.type, target_id=target.id, author_id=target.author_id,
            place=_place(target), source="report",
        )
    return report


def _place(target: targets.Target) -> str | None:
    if target.board is not None:
        return target.board.slug
    if target.room is not None:
        return target.room.slug
    return None


def _maybe_hide(session: Session, actor: Actor, target: targets.Target, threshold: int) -> None:
    """Hide published content once its reports weigh enough, or at once for a moderator."""
    if target.type == TargetType.USER or target.status != "published":
        return
    by_moderator = actor.can(Permission.POST_MODERATE) or actor.can(Permission.ROOM_MODERATE)
    if by_moderator:
        targets.set_status(target, "hidden")
        record_action(session, actor, f"{target.type}.hide", target.type, target.id,
                      why="reported by a moderator")
        return
    if auto_hide_weight(session, target.type, target.id) >= max(1, threshold):
        targets.set_status(target, "hidden")


def auto_hide_weight(session: Session, target_type: str, target_id: int) -> float:
    """How much the open reports on a target weigh towards hiding it before review.

    Hiding is the one thing reports do without a moderator, so it must not be something one
    person can do with a handful of throwaway accounts (issue #12, hole 16). The rule:

    * reports are grouped by the *network* they came from (the keyed fingerprint of its /24 or
      /48, recorded on the report; never an address), and each network counts once, however
      many accounts report from it;
    * a network counts **1** if at least one of its reporters is *established* (account at
      least 7 days old with at least 3 published posts), and **½** if all of them are new;
    * a staff reporter (counsellor, moderator or admin, second factor enrolled) counts
      **1** on her own, whatever her network or age: staff accounts are made by admins, not
      registered, and are not throwaways (a moderator's report hides at once, before this);
    * the content is hidden when the weight reaches `FORUM_AUTO_HIDE_REPORTS` (3).

    So three new accounts from one network weigh ½, from three networks 1½ (not hidden: it
    takes six networks of new accounts), and three established members from three networks
    weigh 3 (hidden). Every report still reaches the review queue at once, whatever it weighs.
    """
    rows = session.execute(
        select(Report.reporter_id, Report.network_fingerprint, User.role, User.totp_enabled_at,
               User.created_at)
        .join(User, User.id == Report.reporter_id)
        .where(Report.target_type == target_type, Report.target_id == target_id,
               Report.status == ReportStatus.OPEN.value)
    ).all()
    members = [r for r in rows if not (r.role != "member" and r.totp_enabled_at is not None)]
    staff = len(rows) - len(members)
    established = _established(session, members)
    networks: dict[str, bool] = {}
    for row in members:
        key = row.network_fingerprint or f"account:{row.reporter_id}"
        networks[key] = networks.get(key, False) or row.reporter_id in established
    return staff + sum(1.0 if strong else 0.5 for strong in networks.values())


def _established(session: Session, rows: Iterable[Any]) -> set[int]:
    """The reporters among `rows` old enough, with enough published posts, to count fully."""
    cutoff = utcnow() - ESTABLISHED_AGE
    old = {r.reporter_id for r in rows if r.created_at is not None and r.created_at <= cutoff}
    if not old:
        return set()
    counts = session.execute(
        select(Post.author_id, func.count(Post.id))
        .where(Post.author_id.in_(old), Post.status == PostStatus.PUBLISHED.value)
        .group_by(Post.author_id)
    ).all()
    return {author for author, n in counts if n >= ESTABLISHED_POSTS}


def list_mine(
    session: Session, actor: Actor, *, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The reporter's own reports with their outcomes, newest first."""
    user = actor.require_user()
    query = select(Report).where(Report.reporter_id == user.id).order_by(Report.id.desc())
    before = cursor_int(cursor)
    if before is not None:
        query = query.where(Report.id < before)
    rows = list(session.scalars(query.limit(limit + 1)))
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return [mine_json(r) for r in rows[:limit]], next_cursor


def reported(report: Report) -> dict[str, Any]:
    """What she reported, why and when: the part of a report that never changes (the evidence
    chain hashes exactly this)."""
    return {
        "id": report.id,
        "target_type": report.target_type,
        "target_id": report.target_id,
        "reason": report.reason,
        "desired_outcome": report.desired_outcome,
        "note": report.note,
        "created_at": iso(report.created_at),
    }


def mine_json(report: Report) -> dict[str, Any]:
    """A report as its reporter sees it: what she reported, and what became of it."""
    return {
        **reported(report),
        "status": report.status,
        "outcome_note": report.outcome_note,
        "resolved_at": iso(report.resolved_at),
    }
