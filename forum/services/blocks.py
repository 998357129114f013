"""Block look-ups the core needs on every write and listing (managing blocks is moderation's)."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from forum.models.safety import Block


def has_blocked(session: Session, blocker_id: int | None, blocked_id: int | None) -> bool:
    """Did `blocker_id` block `blocked_id`? (So `blocked_id` may not reply or react.)"""
    if blocker_id is None or blocked_id is None or blocker_id == blocked_id:
        return False
    return (
        session.scalar(
            select(Block.blocker_id).where(
                Block.blocker_id == blocker_id, Block.blocked_id == blocked_id
            )
        )
        is not None
    )


def blocked_either_way(session: Session, a: int | None, b: int | None) -> bool:
    """Has either of the two blocked the other? Then neither sees the other's content."""
    if a is None or b is None or a == b:
        return False
    query = select(Block.blocker_id).where(
        or_(
            and_(Block.blocker_id == a, Block.blocked_id == b),
            and_(Block.blocker_id == b, Block.blocked_id == a),
        )
    )
    return session.scalar(query.limit(1)) is not None


def hidden_authors_subquery(viewer_id: int):  # type: ignore[no-untyped-def]
    """A scalar subquery of user ids whose content `viewer_id` must not see (blocks both ways)."""
    return (
        select(Block.blocked_id.label("uid"))
        .where(Block.blocker_id == viewer_id)
        .union(select(Block.blocker_id).where(Block.blocked_id == viewer_id))
    )
