"""The review queue: one item per target, re-opened rather than duplicated, claimed by one
moderator, resolved with a decision (and optionally a sanction) under a version check.

Items are ranked so that someone who may be at risk is seen first (`crisis`), then danger to
someone (`threat`, `personal_info`, blackmail, intimate images), then the rest by report count
and age.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from forum import signals
from forum.audit import record_action
from forum.db import rows_affected, utcnow
from forum.errors import Conflict, Invalid, NotFound
from forum.models.board import Post
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.shapes import cursor_int, encode_cursor, iso, user_json
from moderation.domain.pipeline import mask_words
from moderation.models import (
    Decision,
    Priority,
    Report,
    ReportStatus,
    ReviewItem,
    ReviewStatus,
    TargetType,
)
from moderation.services import care, sanctions, targets

#: Report reasons and filter categories that put an item just behind crisis.
URGENT = frozenset({"threat", "personal_info", "blackmail", "intimate_images", "coercion"})
#: Most reasons an item keeps (a flood of reports must not grow a row without bound).
MAX_REASONS = 200


def reason_priority(reason: dict[str, Any]) -> Priority:
    """The rank one reason deserves: crisis language or a `self_harm` report is `crisis`."""
    code = str(reason.get("code", ""))
    head = code.split(":", 1)[0]
    category = str(reason.get("category") or "")
    report_reason = str(reason.get("reason") or "")
    if head == "crisis" or category == "crisis" or report_reason == "self_harm":
        return Priority.CRISIS
    if head in URGENT or category in URGENT or report_reason in URGENT:
        return Priority.URGENT
    if head == "abuse_score" and _model_score(reason) >= HIGH_ABUSE_SCORE:
        return Priority.URGENT  # the detector is confident: look at it before the rest
    return Priority.NORMAL


#: A learned-detector score from which an item moves up to `urgent`.
HIGH_ABUSE_SCORE = 0.8


def _model_score(reason: dict[str, Any]) -> float:
    """The score the detector put in the reason's origin (`abuse_model:0.873`)."""
    origin = str(reason.get("origin") or reason.get("source") or "")
    try:
        return float(origin.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 0.0


def priority_of(reasons: list[dict[str, Any]]) -> Priority:
    """The most urgent rank among the reasons."""
    return min((reason_priority(r) for r in reasons), default=Priority.NORMAL)


def _reason_key(reason: dict[str, Any]) -> tuple[Any, ...]:
    return (reason.get("source"), reason.get("code"), reason.get("report_id"), reason.get("excerpt"))


def count_open_reports(session: Session, target_type: str, target_id: int) -> int:
    """Distinct members with an open report on the target (one report per member and target)."""
    return int(
        session.scalar(
            select(func.count(Report.id)).where(
                Report.target_type == target_type,
                Report.target_id == target_id,
                Report.status == ReportStatus.OPEN.value,
            )
        )
        or 0
    )


def open_review(
    session: Session,
    target: targets.Target,
    reasons: list[dict[str, Any]],
    snapshot: dict[str, Any],
) -> ReviewItem:
    """Create the review item of `target`, or re-open (or add to) the existing one.

    A resolved item is re-opened with its earlier decision kept in `history`, so one target
    never has two items in the queue.
    """
    # Locked for the rest of the unit of work: members reporting one post at once take turns
    # here instead of one winning and the others failing on the item's version (issue #15).
    mine = (
        select(ReviewItem)
        .where(ReviewItem.target_type == target.type, ReviewItem.target_id == target.id)
        .with_for_update()
    )
    item = session.scalar(mine)
    now = utcnow()
    new_round = True
    if item is None:
        item = ReviewItem(
            target_type=target.type,
            target_id=target.id,
            target_user_id=target.author_id,
            status=ReviewStatus.OPEN.value,
            reasons=[],
            report_count=0,
            priority=Priority.NORMAL.value,
            snapshot=snapshot,
            history=[],
            created_at=now,
            opened_at=now,
        )
        try:
            with session.begin_nested():
                session.add(item)
                session.flush()
        except IntegrityError:  # another request created it a moment ago
            new_round = False
            item = session.scalars(mine).one()
    elif item.status == ReviewStatus.RESOLVED:
        item.history = [
            *item.history,
            {
                "decision": item.decision,
                "note": item.decision_note,
                "resolved_by": item.resolved_by_id,
                "resolved_at": iso(item.resolved_at),
                "reasons": item.reasons,
            },
        ]
        item.status = ReviewStatus.OPEN.value
        item.reasons = []
        item.claimed_by_id = None
        item.claimed_at = None
        item.decision = None
        item.decision_note = None
        item.resolved_by_id = None
        item.resolved_at = None
        item.opened_at = now
        item.snapshot = snapshot
    else:
        new_round = False
    known = {_reason_key(r) for r in item.reasons}
    fresh = [r for r in reasons if _reason_key(r) not in known]
    if fresh:
        item.reasons = [*item.reasons, *fresh][-MAX_REASONS:]
    rank = priority_of(reasons)
    item.priority = int(rank) if new_round else min(int(item.priority), int(rank))
    item.report_count = count_open_reports(session, target.type, target.id)
    if target.author_id is not None:
        item.target_user_id = target.author_id
    _flush(session)
    return item


def _flush(session: Session) -> None:
    """Flush; a concurrent change of the same review item is a 409, not a 500."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("Someone else changed this item meanwhile. Reload it and try again.") from exc


def load_item(session: Session, actor: Actor, item_id: int) -> ReviewItem:
    """A review item for a moderator; 404 if there is none."""
    actor.require(Permission.QUEUE_REVIEW)
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound("No such review item.")
    return item


#: Crisis risk levels, most urgent first (API.md): a plan, a means or a time; explicit
#: ideation or self-harm; hopelessness, burden, goodbye.
RISKS = ("imminent", "high", "moderate")
#: The risk of crisis language the detector did not grade (and of a `self_harm` report).
DEFAULT_RISK = "high"
#: Most crisis items ranked by risk in one pass (they are few; beyond this, by age).
CRISIS_RANKED = 2000


def risk_of(reasons: list[dict[str, Any]]) -> str | None:
    """The highest crisis risk among the reasons (None: no crisis reason). The detector
    grades it in the reason (`risk`, or a part of the code or origin such as
    `crisis:imminent`); the highest grade wins. Crisis reasons that carry no grade (a
    `self_harm` report, a rule that does not grade) count as `high` only when no reason of
    the item is graded."""
    graded: list[int] = []
    ungraded = False
    for reason in reasons:
        if reason_priority(reason) != Priority.CRISIS:
            continue
        words = [str(reason.get("risk") or "")]
        for key in ("code", "origin", "category"):
            words.extend(str(reason.get(key) or "").replace("/", ":").split(":"))
        found = [RISKS.index(w) for w in words if w in RISKS]
        if found:
            graded.append(min(found))
        else:
            ungraded = True
    if graded:
        return RISKS[min(graded)]
    return DEFAULT_RISK if ungraded else None


def _crisis_key(item: ReviewItem) -> tuple[Any, ...]:
    risk = risk_of(item.reasons or [])
    return (RISKS.index(risk) if risk else len(RISKS), item.opened_at, item.id)


def list_queue(
    session: Session, actor: Actor, *, status: str, cursor: str | None, limit: int,
    opt_out: frozenset[str] | set[str] = frozenset(),
) -> tuple[list[ReviewItem], str | None]:
    """A page of the queue: someone who may be at risk first, by risk (`imminent`, `high`,
    `moderate`) then age; then danger to someone, then the rest, most reported then oldest.
    Open items in a category in `opt_out` (the moderator's own settings, `care.CATEGORIES`)
    are left out of her page; the cursor still counts them, so a page may be shorter."""
    rows, next_cursor = _queue_page(session, actor, status=status, cursor=cursor, limit=limit)
    if opt_out and status == ReviewStatus.OPEN:
        rows = [r for r in rows if not set(care.categories_of(r.reasons or [])) & set(opt_out)]
    return rows, next_cursor


def _queue_page(
    session: Session, actor: Actor, *, status: str, cursor: str | None, limit: int
) -> tuple[list[ReviewItem], str | None]:
    actor.require(Permission.QUEUE_REVIEW)
    if status not in {s.value for s in ReviewStatus}:
        raise Invalid({"status": ["Use 'open' or 'resolved'."]})
    offset = cursor_int(cursor) or 0
    query = select(ReviewItem).where(ReviewItem.status == status)
    if status != ReviewStatus.OPEN:
        query = query.order_by(ReviewItem.resolved_at.desc(), ReviewItem.id.desc())
        rows = list(session.scalars(query.offset(offset).limit(limit + 1)))
        next_cursor = encode_cursor([offset + limit]) if len(rows) > limit else None
        return rows[:limit], next_cursor
    # Crisis items, ranked by risk then age here (the risk lives in the reasons); the rest
    # by the index. The queue is re-ranked as reports arrive, so an offset is the honest
    # cursor.
    crisis = sorted(
        session.scalars(
            query.where(ReviewItem.priority == Priority.CRISIS.value)
            .order_by(ReviewItem.opened_at, ReviewItem.id).limit(CRISIS_RANKED)
        ),
        key=_crisis_key,
    )
    rows = crisis[offset:offset + limit + 1]
    wanted = limit + 1 - len(rows)
    if wanted > 0:
        rest = (
            query.where(ReviewItem.priority != Priority.CRISIS.value)
            .order_by(ReviewItem.priority, ReviewItem.report_count.desc(),
                      ReviewItem.opened_at, ReviewItem.id)
            .offset(max(0, offset - len(crisis))).limit(wanted)
        )
        rows.extend(session.scalars(rest))
    next_cursor = encode_cursor([offset + limit]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def claim(session: Session, actor: Actor, item: ReviewItem) -> ReviewItem:
    """Take an item so two moderators do not work on it at once; 409 if someone else has it."""
    actor.require(Permission.QUEUE_REVIEW)
    if item.status != ReviewStatus.OPEN:
        raise Conflict("This item is already resolved.")
    if item.claimed_by_id is not None and item.claimed_by_id != actor.id:
        raise Conflict("Another moderator is already reviewing this item.")
    if item.claimed_by_id is None:
        # Compare-and-set, so two claims racing on the same row cannot both win.
        result = session.execute(
            update(ReviewItem)
            .where(ReviewItem.id == item.id, ReviewItem.claimed_by_id.is_(None),
                   ReviewItem.version == item.version)
            .values(claimed_by_id=actor.id, claimed_at=utcnow(), version=item.version + 1)
            .execution_options(synchronize_session=False)
        )
        if not rows_affected(result):
            raise Conflict("Another moderator is already reviewing this item.")
        session.refresh(item)
        record_action(session, actor, "review.claim", "review_item", item.id,
                      content_type=item.target_type, content_id=item.target_id)
        _flush(session)
    return item


def resolve(
    session: Session,
    actor: Actor,
    item: ReviewItem,
    *,
    decision: str,
    note: str | None,
    sanction: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> ReviewItem:
    """Decide on an item: `approve` and `dismiss` put held or hidden content back,
    `remove` removes it; the reporters' reports become `actioned` (removed, or a sanction was
    issued) or `dismissed`. A sanction on the author may be issued in the same step."""
    actor.require(Permission.QUEUE_REVIEW)
    if decision not in {d.value for d in Decision}:
        raise Invalid({"decision": ["Use 'approve', 'remove' or 'dismiss'."]})
    if expected_version is not None and expected_version != item.version:
        raise Conflict("This item changed since you loaded it. Reload it and try again.")
    if item.status != ReviewStatus.OPEN:
        raise Conflict("This item is already resolved.")
    if item.claimed_by_id is not None and item.claimed_by_id != actor.id:
        raise Conflict("Another moderator is reviewing this item.")
    target = targets.load_target(session, item.target_type, item.target_id)
    issued = None
    if sanction is not None:
        actor.require(Permission.SANCTION_ISSUE)
        user_id = target.author_id if target is not None else item.target_user_id
        if user_id is None:
            raise Invalid({"sanction": ["The author of this content no longer exists."]})
        issued = sanctions.issue_sanction(
            session, actor, user_id,
            kind=sanction["kind"], duration_hours=sanction.get("duration_hours"),
            reason=sanction.get("reason") or note or "",
            review_item_id=item.id,
        )
    if target is not None and target.type != TargetType.USER:
        if decision == Decision.REMOVE:
            targets.set_status(target, "removed")
        elif targets.is_held(target):
            targets.set_status(target, "published")
    now = utcnow()
    actioned = decision == Decision.REMOVE or issued is not None
    outcome = ReportStatus.ACTIONED if actioned else ReportStatus.DISMISSED
    outcome_note = note or _default_outcome_note(decision, issued.kind if issued else None)
    reports = session.scalars(
        select(Report).where(
            Report.target_type == item.target_type,
            Report.target_id == item.target_id,
            Report.status == ReportStatus.OPEN.value,
        )
    )
    closed: list[tuple[int, int | None, str]] = []
    for report in reports:
        report.status = outcome.value
        report.outcome_note = outcome_note
        report.resolved_at = now
        closed.append((report.id, report.reporter_id, outcome.value))
    item.status = ReviewStatus.RESOLVED.value
    item.decision = decision
    item.decision_note = note
    item.resolved_by_id = actor.id
    item.resolved_at = now
    if item.claimed_by_id is None:
        item.claimed_by_id = actor.id
        item.claimed_at = now
    care.record(session, actor.require_user().id, care.DECIDED, item.id,
                severe=care.is_severe(item.priority, item.reasons or []))
    record_action(
        session, actor, "review.resolve", "review_item", item.id,
        decision=decision, note=note, content_type=item.target_type, content_id=item.target_id,
        reports_closed=len(closed), report_outcome=outcome.value,
        sanction_id=issued.id if issued is not None else None,
    )
    _flush(session)
    signals.reports_resolved.send(None, session=session, reports=closed)  # each reporter told
    return item


def reveal(session: Session, actor: Actor, item: ReviewItem) -> dict[str, Any]:
    """She asks to see the masked words of an item: counted (a number per moderator), and
    shown to her unmasked for the next hour. Answers her pacing state."""
    actor.require(Permission.QUEUE_REVIEW)
    user_id = actor.require_user().id
    care.record(session, user_id, care.REVEALED, item.id,
                severe=care.is_severe(item.priority, item.reasons or []))
    session.flush()
    return care.state(session, user_id)


#: Posts shown before and after a reported post, in its thread.
CONTEXT_AROUND = 2


def _context_post(session: Session, post: Post, relation: str) -> dict[str, Any]:
    """A post around the reported one; an anonymous author stays anonymous here (only the
    reported item's author is revealed to moderators, and that look is audited)."""
    author = None
    if post.author_id is not None and not post.is_anonymous and not post.is_author_deleted:
        author = user_json(session.get(User, post.author_id))
    masked, count = mask_words(post.body)
    return {"id": post.id, "relation": relation, "author": author,
            "anonymous": bool(post.is_anonymous), "text": post.body,
            "masked_text": masked if count else None, "masked_words": count,
            "content_warning": post.content_warning, "status": post.status,
            "created_at": iso(post.created_at)}


def post_context(session: Session, post_id: int) -> list[dict[str, Any]]:
    """The thread around a post: the post it answers, then a couple of posts before and
    after it, oldest first."""
    post = session.get(Post, post_id)
    if post is None:
        return []
    before = list(session.scalars(
        select(Post).where(Post.thread_id == post.thread_id, Post.id < post.id)
        .order_by(Post.id.desc()).limit(CONTEXT_AROUND)))[::-1]
    after = list(session.scalars(
        select(Post).where(Post.thread_id == post.thread_id, Post.id > post.id)
        .order_by(Post.id).limit(CONTEXT_AROUND)))
    shown: list[dict[str, Any]] = []
    near = {p.id for p in before}
    if post.reply_to_id is not None and post.reply_to_id not in near:
        answered = session.get(Post, post.reply_to_id)
        if answered is not None:
            shown.append(_context_post(session, answered, "replied_to"))
    for p in before:
        shown.append(_context_post(session, p, "replied_to" if p.id == post.reply_to_id else "before"))
    shown.extend(_context_post(session, p, "after") for p in after)
    return shown


def _care_fields(session: Session, item: ReviewItem, shown: dict[str, Any]) -> dict[str, Any]:
    """What trauma-aware review adds to an item: its categories and severity, the text with
    slurs and sexual words masked, and (posts) the thread around it."""
    masked, count = mask_words(str(shown.get("text") or ""))
    title, in_title = mask_words(str(shown.get("thread_title") or ""))
    return {
        "severe": care.is_severe(item.priority, item.reasons or []),
        "categories": care.categories_of(item.reasons or []),
        "masked_text": masked if count else None,
        "masked_words": count,
        "masked_thread_title": title if in_title else None,
        "masked_title_words": in_title,
        "content_warning": shown.get("content_warning"),
        "context": (post_context(session, item.target_id)
                    if item.target_type == TargetType.POST else []),
    }


def _default_outcome_note(decision: str, sanction_kind: str | None) -> str:
    """What a reporter reads when the moderator wrote no note."""
    if decision == Decision.REMOVE:
        text = "Thank you. A moderator removed this content."
    elif sanction_kind is not None:
        text = "Thank you. A moderator took action on this account."
    else:
        text = "Thank you. A moderator reviewed this and found it within the rules."
    if sanction_kind is not None and decision == Decision.REMOVE:
        text += " The account was also restricted."
    return text


def _what_reporters_said(
    session: Session, items: list[ReviewItem]
) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Per target, what each reporter asked for and wrote, oldest first (never who she is:
    the reporter stays unnamed even to moderators' screens)."""
    keys = {(i.target_type, i.target_id) for i in items}
    if not keys:
        return {}
    rows = session.execute(
        select(Report.target_type, Report.target_id, Report.reason, Report.desired_outcome,
               Report.note)
        .where(tuple_(Report.target_type, Report.target_id).in_(list(keys)))
        .order_by(Report.id)
    ).all()
    said: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for target_type, target_id, reason, outcome, note in rows:
        said.setdefault((target_type, target_id), []).append(
            {"reason": reason, "desired_outcome": outcome, "note": note or None})
    return said


def items_json(session: Session, actor: Actor, items: list[ReviewItem]) -> list[dict[str, Any]]:
    """Items as moderators see them: the target as it is now (its snapshot if it is gone),
    with the real author. Showing anonymous authors is audited, once per answer."""
    revealed: dict[str, list[int]] = {}
    now = utcnow()
    users = _users(session, {i.claimed_by_id for i in items} | {i.resolved_by_id for i in items})
    said = _what_reporters_said(session, items)
    shaped = []
    for item in items:
        target = targets.load_target(session, item.target_type, item.target_id)
        if target is not None:
            shown = targets.snapshot(session, target, reveal=True)
            shown["exists"] = True
        else:
            shown = {**item.snapshot, "exists": False}
        if shown.get("anonymous") and shown.get("author") is not None:
            revealed.setdefault(item.target_type, []).append(item.target_id)
        shaped.append(
            {
                "id": item.id,
                "target_type": item.target_type,
                "target_id": item.target_id,
                "target": shown,
                "reasons": item.reasons,
                "report_count": item.report_count,
                "priority": Priority(item.priority).label,
                "priority_rank": item.priority,
                "risk": risk_of(item.reasons or []),
                # How long it has waited since it (re)entered the queue.
                "waiting_seconds": (max(0, int((now - item.opened_at).total_seconds()))
                                    if item.status == ReviewStatus.OPEN and item.opened_at
                                    else None),
                "status": item.status,
                "created_at": iso(item.created_at),
                "opened_at": iso(item.opened_at),
                "claimed_by": user_json(users.get(item.claimed_by_id)),
                "claimed_at": iso(item.claimed_at),
                "decision": item.decision,
                "decision_note": item.decision_note,
                "resolved_by": user_json(users.get(item.resolved_by_id)),
                "resolved_at": iso(item.resolved_at),
                "version": item.version,
                "reports": said.get((item.target_type, item.target_id), []),
                **_care_fields(session, item, shown),
            }
        )
    if revealed:
        record_action(session, actor, "author.reveal", "review_queue", None,
                      **{f"{kind}_ids": ids for kind, ids in revealed.items()})
    return shaped


def _users(session: Session, ids: set[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


#: How far back an author's history lists reports about her content.
HISTORY_DAYS = 90
HISTORY_LIMIT = 20


def reports_about(session: Session, actor: Actor, user_id: int) -> dict[str, Any]:
    """Reports about content by this member (or her account) in the last 90 days, newest
    first: reason, what the reporter asked for, what came of it, and when. Never who
    reported, nor the content (her queue items show that)."""
    actor.require(Permission.QUEUE_REVIEW)
    since = utcnow() - dt.timedelta(days=HISTORY_DAYS)
    about = (
        select(Report.reason, Report.desired_outcome, Report.status, Report.target_type,
               Report.created_at)
        .join(ReviewItem, (ReviewItem.target_type == Report.target_type)
              & (ReviewItem.target_id == Report.target_id))
        .where(ReviewItem.target_user_id == user_id, Report.created_at >= since)
    )
    total = int(session.scalar(select(func.count()).select_from(about.subquery())) or 0)
    rows = session.execute(
        about.order_by(Report.created_at.desc(), Report.id.desc()).limit(HISTORY_LIMIT)).all()
    return {
        "total": total,
        "days": HISTORY_DAYS,
        "reports": [{"reason": r, "desired_outcome": o, "status": st, "target_type": t,
                     "created_at": iso(at)} for r, o, st, t, at in rows],
    }
