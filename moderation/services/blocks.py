"""Blocks: a member stops seeing someone, and that someone can no longer reply to or react to
her. Blocking is silent (the other member is never told) and answers the same whether or not
the block already existed, so it cannot be used to probe.

The core reads blocks on every listing and write (`forum.services.blocks`); here they are
made, listed and lifted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.errors import Invalid, NotFound
from forum.models.safety import Block, HiddenItem
from forum.models.user import User
from forum.policy import Actor, named_author
from forum.shapes import iso, user_json
from moderation.models import TargetType
from moderation.services.targets import Target, may_name


def block_user(session: Session, actor: Actor, user_id: int) -> Block:
    """Block `user_id` for the actor (idempotent). Allowed even while muted: blocking protects."""
    me = actor.require_user()
    if user_id == me.id:
        raise Invalid({"user_id": ["You cannot block yourself."]})
    # Both questions are asked whatever the first answer, so a missing id and one she may not
    # name cost the same time as well as giving the same answer.
    exists = session.get(User, user_id) is not None
    if not (may_name(session, actor, user_id) and exists):
        raise NotFound("No such user.")
    existing = session.get(Block, (me.id, user_id))
    if existing is not None:
        return existing
    block = Block(blocker_id=me.id, blocked_id=user_id)
    try:
        with session.begin_nested():
            session.add(block)
            session.flush()
    except IntegrityError:  # the same block made by a concurrent request
        found = session.get(Block, (me.id, user_id))
        assert found is not None
        return found
    return block


def hide_from_me(session: Session, actor: Actor, target: Target) -> None:
    """A report's `hide_from_me`: the reported item leaves her view at once (a post, and the
    thread it opens; a room message), and for named content its author is blocked. Anonymous
    content makes no block: a block naming the hidden author would tell her who wrote it
    (API.md, "Blocks")."""
    me = actor.require_user()
    author = named_author(target.author_id, anonymous=target.is_anonymous)
    if target.type == TargetType.USER:
        if author is not None:
            block_user(session, actor, author)
        return
    items = [(target.type, target.id)]
    if target.type == TargetType.POST and target.thread is not None and target.row.is_opening:
        items.append(("thread", target.thread.id))
    for target_type, target_id in items:
        if session.get(HiddenItem, (me.id, target_type, target_id)) is None:
            session.add(HiddenItem(user_id=me.id, target_type=target_type, target_id=target_id))
    session.flush()
    if author is not None:
        block_user(session, actor, author)


def unblock_user(session: Session, actor: Actor, user_id: int) -> None:
    """Lift a block; lifting one that does not exist changes nothing."""
    me = actor.require_user()
    session.execute(delete(Block).where(Block.blocker_id == me.id, Block.blocked_id == user_id))


def list_blocks(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Whom the actor blocked, newest first."""
    me = actor.require_user()
    rows = session.execute(
        select(Block, User)
        .join(User, User.id == Block.blocked_id)
        .where(Block.blocker_id == me.id)
        .order_by(Block.created_at.desc(), Block.blocked_id.desc())
    ).all()
    return [block_json(block, user) for block, user in rows]


def block_json(block: Block, user: User | None) -> dict[str, Any]:
    """A block as its owner sees it."""
    return {"user": user_json(user), "created_at": iso(block.created_at)}
