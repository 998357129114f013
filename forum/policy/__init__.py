"""Who may do what: permissions as data (`actor`), rules composed from small checks
(`requirements`), and the named predicates the rest of the code asks.

Flask-Login only answers who is asking; this module answers whether they may. Nothing here
reads the request or the database: where a rule must run inside a query (the block rule on a
listing), its SQL form is built here beside the Python form, and tests hold the two equal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CompoundSelect, and_, bindparam, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from forum.models.board import Post, PostStatus
from forum.models.room import Room, RoomParticipant
from forum.models.safety import Block, HiddenItem
from forum.policy.actor import ANONYMOUS, GRANTS, Actor, Permission
from forum.policy.requirements import (
    BlockApplies,
    CanEditPost,
    CanReadBoard,
    CanSeeStatus,
    On,
    OnDuty,
    RepliesAnonymouslyByDefault,
)

__all__ = [
    "ANONYMOUS", "GRANTS", "Actor", "Permission", "block_applies", "blocked_either_way_sql",
    "can_edit_post", "can_read_board", "can_see_status", "has_duty", "hidden_authors_sql",
    "hidden_by_block", "name_shown_sql", "named_author", "not_hidden_by_block_sql",
    "not_hidden_item_sql", "refused_by_block", "replies_anonymously_by_default",
]




def can_read_board(actor: Actor, visibility: str) -> bool:
    """`requirements.CanReadBoard`."""
    return CanReadBoard(actor, On(visibility=visibility))


def can_edit_post(actor: Actor, author_id: int | None) -> bool:
    """`requirements.CanEditPost`."""
    return CanEditPost(actor, On(author_id=author_id))


def replies_anonymously_by_default(actor: Actor, thread_author_id: int | None,
                                  thread_is_anonymous: bool) -> bool:
    """In her own anonymous thread she replies anonymously unless she says otherwise: a reply
    under her handle there would tie her to the thread (issue #19). Only she sees the default
    (her own reply form), so it reveals nothing to anyone else."""
    return RepliesAnonymouslyByDefault(
        actor, On(author_id=thread_author_id, anonymous=thread_is_anonymous))


def can_see_status(actor: Actor, status: str, author_id: int | None) -> bool:
    """`requirements.CanSeeStatus`."""
    return CanSeeStatus(actor, On(author_id=author_id, status=status))


# --- the block rule ------------------------------------------------------------------------
#
# API.md, "Blocks": when A blocks B, neither sees the other's *named* content and B cannot
# reply to or react to A's named content. Anonymous content is never touched by a block, in
# any channel, for either side (else a block is an oracle for who wrote it), and a block never
# hides anything from someone on duty: moderators and admins everywhere, a room's host in her
# room. Every door (pages, API, sockets, presence, history, reports, exports) asks here.


def has_duty(actor: Actor, *, host_id: int | None = None) -> bool:
    """On duty where `host_id` hosts (None: no room): a block cannot hide anything from her
    (`requirements.OnDuty`)."""
    return OnDuty(actor, On(host_id=host_id))


def block_applies(actor: Actor, *, anonymous: bool, host_id: int | None = None) -> bool:
    """May a block between `actor` and an author act on this content at all? Only on named
    content, and only for a signed-in viewer who is not on duty there
    (`requirements.BlockApplies`)."""
    return BlockApplies(actor, On(anonymous=anonymous, host_id=host_id))


def hidden_by_block(
    actor: Actor, *, anonymous: bool, blocked_either_way: bool, host_id: int | None = None
) -> bool:
    """Is this content hidden from `actor` by a block (either way) with its author?"""
    return blocked_either_way and block_applies(actor, anonymous=anonymous, host_id=host_id)


def refused_by_block(actor: Actor, *, anonymous: bool, author_blocked_actor: bool) -> bool:
    """Is replying to or reacting to this content refused (403 `blocked`) because its author
    blocked `actor`?"""
    return author_blocked_actor and block_applies(actor, anonymous=anonymous)


def hidden_authors_sql(viewer: Any) -> CompoundSelect[tuple[int]]:
    """The ids whose named content a block hides from `viewer` (a bound parameter or column):
    whom she blocked and who blocked her."""
    return (
        select(Block.blocked_id.label("uid"))
        .where(Block.blocker_id == viewer)
        .union(select(Block.blocker_id).where(Block.blocked_id == viewer))
    )


def not_hidden_by_block_sql(
    author_col: Any, anonymous_col: Any, *, signed_in: bool, on_duty: bool, viewer: Any = None
) -> ColumnElement[bool]:
    """`not hidden_by_block(...)` as a SQL condition over a content row, for a viewer of the
    given kind (`viewer`: her id as a bound parameter; default `bindparam("viewer")`)."""
    if not signed_in or on_duty:
        return true()
    viewer = bindparam("viewer") if viewer is None else viewer
    return or_(
        anonymous_col.is_(True),
        author_col.is_(None),
        author_col.not_in(hidden_authors_sql(viewer)),
    )


def blocked_either_way_sql(a: Any, b: Any) -> ColumnElement[bool]:
    """A block stands between `a` and `b`, either way (as an EXISTS condition)."""
    return (
        select(Block.blocker_id)
        .where(
            or_(
                and_(Block.blocker_id == a, Block.blocked_id == b),
                and_(Block.blocker_id == b, Block.blocked_id == a),
            )
        )
        .exists()
    )



def named_author(author_id: int | None, *, anonymous: bool) -> int | None:
    """The author an automatic signal may key on (blocks, the reply-flood count, who is
    replied to): the named author, never an anonymous one, so no signal depends on who wrote
    anonymous content."""
    return None if anonymous else author_id


def not_hidden_item_sql(
    target_type: str, id_col: Any, *, signed_in: bool, viewer: Any = None
) -> ColumnElement[bool]:
    """Content the viewer asked not to see again (a `hide_from_me` report) stays out of her
    view: a SQL condition over the content's id (`viewer` as in `not_hidden_by_block_sql`)."""
    if not signed_in:
        return true()
    viewer = bindparam("viewer") if viewer is None else viewer
    condition: ColumnElement[bool] = id_col.not_in(
        select(HiddenItem.target_id).where(
            HiddenItem.user_id == viewer, HiddenItem.target_type == target_type
        )
    )
    return condition


def name_shown_sql(viewer_id: int, user_id: int) -> ColumnElement[bool]:
    """Has `viewer_id` been shown the name of `user_id`? An author of named published posts,
    a room's host, someone who shares a room with her (presence names members), or one she
    already blocked. Acting on an account by its id (reporting it, blocking it, asking it to
    help with her shield) is for these only, so ids cannot be walked for handles and roles,
    and nothing anonymous counts (an anonymous post never shows a name)."""
    mine = select(RoomParticipant.room_id).where(RoomParticipant.user_id == viewer_id)
    shown = [
        select(Post.id).where(
            Post.author_id == user_id, Post.is_anonymous.is_(False),
            Post.status == PostStatus.PUBLISHED.value,
        ),
        select(Block.blocked_id).where(Block.blocker_id == viewer_id, Block.blocked_id == user_id),
        select(Room.id).where(Room.host_id == user_id),
        select(RoomParticipant.room_id).where(
            RoomParticipant.user_id == user_id, RoomParticipant.room_id.in_(mine)
        ),
    ]
    return or_(*(q.exists() for q in shown))
