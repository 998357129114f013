"""Who may do what: permissions as data, and named predicates over an actor.

Flask-Login only answers who is asking; this module answers whether they may. Nothing here
reads the request or the database: where a rule must run inside a query (the block rule on a
listing), its SQL form is built here beside the Python form, and tests hold the two equal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, and_, bindparam, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from forum.errors import Forbidden, TotpRequired, Unauthorized
from forum.models.board import Post, PostStatus
from forum.models.room import Room, RoomParticipant
from forum.models.safety import Block, HiddenItem
from forum.models.user import Role, User


class Permission(enum.StrEnum):
    """Permissions named `scope:resource:action`."""

    BOARD_CREATE = "forum:board:create"
    BOARD_READ_COUNSELLORS = "forum:board:read-counsellors"
    POST_MODERATE = "forum:post:moderate"
    AUTHOR_REVEAL = "forum:author:reveal"
    USER_ROLE_EDIT = "admin:user:role"
    QUEUE_REVIEW = "moderation:queue:review"
    SANCTION_ISSUE = "moderation:sanction:issue"
    RULES_EDIT = "moderation:rules:edit"
    AUDIT_READ = "moderation:audit:read"
    ROOM_CREATE = "rooms:room:create"
    ROOM_MODERATE = "rooms:room:moderate"
    SUPPORT_ACCEPT = "rooms:support:accept"
    #: Moderators' exposure counts (numbers only): admins.
    EXPOSURE_READ = "moderation:exposure:read"


_MODERATOR = {
    Permission.POST_MODERATE,
    Permission.AUTHOR_REVEAL,
    Permission.QUEUE_REVIEW,
    Permission.SANCTION_ISSUE,
    Permission.RULES_EDIT,
    Permission.AUDIT_READ,
    Permission.ROOM_MODERATE,
    Permission.BOARD_READ_COUNSELLORS,
}
_COUNSELLOR = {
    Permission.BOARD_READ_COUNSELLORS,
    Permission.ROOM_CREATE,
    Permission.SUPPORT_ACCEPT,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.MEMBER: frozenset(),
    Role.COUNSELLOR: frozenset(_COUNSELLOR),
    Role.MODERATOR: frozenset(_MODERATOR),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """The one asking: a signed-in user, or the anonymous visitor (`user` None).

    `totp_ok` is False for a staff account that must still enrol its second factor: such an
    account acts as a member until it does.
    """

    user: User | None
    totp_ok: bool = True

    @classmethod
    def of(cls, user: User | None, *, require_totp: bool) -> Actor:
        if user is None:
            return ANONYMOUS
        ok = not (require_totp and user.is_staff and not user.totp_enrolled)
        return cls(user=user, totp_ok=ok)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def role(self) -> Role | None:
        return self.user.role_enum if self.user is not None else None

    def has_role_grant(self, permission: Permission) -> bool:
        """The role grants it, whether or not the second factor is in place."""
        return self.user is not None and permission in GRANTS[self.user.role_enum]

    def can(self, permission: Permission) -> bool:
        """The role grants it and, for staff powers, the second factor is enrolled."""
        return self.has_role_grant(permission) and self.totp_ok

    def require(self, permission: Permission) -> None:
        """Raise the right error when the actor may not use `permission`."""
        if self.user is None:
            raise Unauthorized("Please sign in first.")
        if not self.has_role_grant(permission):
            raise Forbidden("Your account cannot do this.")
        if not self.totp_ok:
            raise TotpRequired("Enrol a second factor (POST /api/v1/me/totp) to use staff powers.")

    def require_user(self) -> User:
        """The signed-in user, or 401."""
        if self.user is None:
            raise Unauthorized("Please sign in first.")
        return self.user


ANONYMOUS = Actor(user=None)


def can_read_board(actor: Actor, visibility: str) -> bool:
    """Public boards are open to all, members' boards to signed-in accounts, counsellors'
    boards to counsellors and staff."""
    if visibility == "public":
        return True
    if visibility == "members":
        return actor.is_authenticated
    return actor.can(Permission.BOARD_READ_COUNSELLORS)


def can_edit_post(actor: Actor, author_id: int | None) -> bool:
    """Authors edit and delete their own posts; moderators any."""
    if actor.user is None:
        return False
    return actor.user.id == author_id or actor.can(Permission.POST_MODERATE)


def replies_anonymously_by_default(actor: Actor, thread_author_id: int | None,
                                  thread_is_anonymous: bool) -> bool:
    """In her own anonymous thread she replies anonymously unless she says otherwise: a reply
    under her handle there would tie her to the thread (issue #19). Only she sees the default
    (her own reply form), so it reveals nothing to anyone else."""
    return (thread_is_anonymous and actor.user is not None
            and thread_author_id is not None and actor.user.id == thread_author_id)


def can_see_status(actor: Actor, status: str, author_id: int | None) -> bool:
    """Published content is for everyone; held or hidden content for its author and
    moderators; removed content for moderators only."""
    if status == PostStatus.PUBLISHED or actor.can(Permission.POST_MODERATE):
        return True
    return (status in {PostStatus.PENDING, PostStatus.HIDDEN}
            and actor.id is not None and actor.id == author_id)


# --- the block rule ------------------------------------------------------------------------
#
# API.md, "Blocks": when A blocks B, neither sees the other's *named* content and B cannot
# reply to or react to A's named content. Anonymous content is never touched by a block, in
# any channel, for either side (else a block is an oracle for who wrote it), and a block never
# hides anything from someone on duty: moderators and admins everywhere, a room's host in her
# room. Every door (pages, API, sockets, presence, history, reports, exports) asks here.


def has_duty(actor: Actor, *, host_id: int | None = None) -> bool:
    """On duty where `host_id` hosts (None: no room): a block cannot hide anything from her."""
    if actor.user is None:
        return False
    if actor.can(Permission.POST_MODERATE):
        return True
    return host_id is not None and actor.user.id == host_id and actor.totp_ok


def block_applies(actor: Actor, *, anonymous: bool, host_id: int | None = None) -> bool:
    """May a block between `actor` and an author act on this content at all? Only on named
    content, and only for a signed-in viewer who is not on duty there."""
    return not anonymous and actor.user is not None and not has_duty(actor, host_id=host_id)


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
