"""Block and hidden-item look-ups the core needs (managing them is moderation's). Whether a
block acts at all is `forum.policy`'s rule (`block_applies`); these only read the relation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models.safety import Block, HiddenItem
from forum.policy import blocked_either_way_sql, hidden_authors_sql


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
    """Has either of the two blocked the other?"""
    if a is None or b is None or a == b:
        return False
    return bool(session.scalar(select(blocked_either_way_sql(a, b))))


def hidden_authors_subquery(viewer_id: int) -> Any:
    """The ids a block stands between `viewer_id` and (`policy.hidden_authors_sql`)."""
    return hidden_authors_sql(viewer_id)


def is_hidden_from(session: Session, user_id: int | None, target_type: str, target_id: int) -> bool:
    """Did `user_id` ask not to see this content again (`hide_from_me`)?"""
    if user_id is None:
        return False
    return session.get(HiddenItem, (user_id, target_type, target_id)) is not None
