"""Moderation's part in a member's data rights, through the core's signals.

Export (`GET /me/export`) includes the reports she filed, with their snapshots. Erasure deletes
her reports and takes her name (and, with `erase_posts`, her words) out of review items; the
snapshots in *other* members' reports are kept, as API.md promises, because they are those
members' evidence.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from forum import signals
from moderation.models import Report, ReportStatus, ReviewItem, TargetType
from moderation.services.reports import mine_json

ERASED_TEXT = "(erased by its author)"


def export_reports(user_id: int, *, session: Session, **_: Any) -> tuple[str, list[dict[str, Any]]]:
    """The `reports` section of her export: each report she filed, with what she reported."""
    rows = session.scalars(select(Report).where(Report.reporter_id == user_id).order_by(Report.id))
    return "reports", [{**mine_json(r), "snapshot": r.snapshot} for r in rows]


def erase_moderation_data(
    user_id: int, *, session: Session, erase_posts: bool = False, **_: Any
) -> None:
    """Delete her reports; scrub her identity (and words, if asked) from review items."""
    session.execute(delete(Report).where(Report.reporter_id == user_id))
    items = session.scalars(
        select(ReviewItem).where(
            or_(
                ReviewItem.target_user_id == user_id,
                (ReviewItem.target_type == TargetType.USER.value) & (ReviewItem.target_id == user_id),
            )
        )
    )
    for item in items:
        snap = dict(item.snapshot or {})
        if item.target_type == TargetType.USER:
            snap["handle"] = None
        else:
            snap["author"] = None
            if erase_posts:
                snap["text"] = ERASED_TEXT
                item.reasons = [{**r, "excerpt": None} for r in item.reasons]
        item.snapshot = snap
        item.target_user_id = None
    session.flush()


def reported_messages(kind: str, *, session: Session, **_: Any) -> set[int]:
    """Room messages under an open report outlive their room's retention: they are the
    reporter's evidence until the report is resolved."""
    if kind != TargetType.ROOM_MESSAGE.value:
        return set()
    rows = session.scalars(
        select(Report.target_id).where(
            Report.target_type == TargetType.ROOM_MESSAGE.value, Report.status == ReportStatus.OPEN.value
        )
    )
    return {int(r) for r in rows if r is not None}


def connect() -> None:
    """Listen to the core's data-rights signals (idempotent: blinker keeps one connection)."""
    signals.collect_export.connect(export_reports)
    signals.erasing_account.connect(erase_moderation_data)
    signals.retention_holds.connect(reported_messages)
