"""Small checks, and the rules composed from them (in the manner of flaskbb's
``requirements.py``): each rule of `forum.policy` is written once, as a formula a reader can
check against API.md, and asked with the actor and what it is about.

    CanEditPost = SignedIn & (IsAuthor | Has(Permission.POST_MODERATE))
    CanEditPost(actor, On(author_id=post.author_id))

A `Requirement` is a named predicate over ``(actor, on)``; ``&``, ``|`` and ``~`` (or `And`,
`Or`, `Not`) build new ones, whose name is the formula. `On` carries the facts about the thing
asked about (its author, the room's host, whether it is anonymous, its status, the board's
visibility); a check reads only the fields it needs. Nothing here reads the request or the
database: rules that need a query take their facts from the caller, or have a SQL form beside
them in `forum.policy` (property-tested equal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forum.models.board import PostStatus
from forum.models.user import Role
from forum.policy.actor import Actor, Permission


@dataclass(frozen=True, slots=True)
class On:
    """What a rule is asked about. Unset facts are None (or False: not anonymous)."""

    author_id: int | None = None
    host_id: int | None = None
    anonymous: bool = False
    status: str | None = None
    visibility: str | None = None


NOTHING = On()


class Requirement:
    """A named check over an actor and what she acts on."""

    __slots__ = ("name", "_test")

    def __init__(self, name: str, test: Callable[[Actor, On], bool]) -> None:
        self.name = name
        self._test = test

    def __call__(self, actor: Actor, on: On = NOTHING) -> bool:
        return self._test(actor, on)

    def __and__(self, other: Requirement) -> Requirement:
        return And(self, other)

    def __or__(self, other: Requirement) -> Requirement:
        return Or(self, other)

    def __invert__(self) -> Requirement:
        return Not(self)

    def __repr__(self) -> str:
        return self.name


def And(*parts: Requirement) -> Requirement:  # noqa: N802 - reads as a formula
    """Every part holds (asked in order, stopping at the first that does not)."""
    return Requirement("(" + " & ".join(p.name for p in parts) + ")",
                       lambda actor, on: all(p(actor, on) for p in parts))


def Or(*parts: Requirement) -> Requirement:  # noqa: N802 - reads as a formula
    """Some part holds (asked in order, stopping at the first that does)."""
    return Requirement("(" + " | ".join(p.name for p in parts) + ")",
                       lambda actor, on: any(p(actor, on) for p in parts))


def Not(part: Requirement) -> Requirement:  # noqa: N802 - reads as a formula
    """The part does not hold."""
    return Requirement("~" + part.name, lambda actor, on: not part(actor, on))


# --- the small checks ------------------------------------------------------------------------

SignedIn = Requirement("SignedIn", lambda actor, on: actor.user is not None)
#: Staff powers need the second factor once it is required (`Actor.totp_ok`).
SecondFactorOk = Requirement("SecondFactorOk", lambda actor, on: actor.totp_ok)
IsAdmin = Requirement("IsAdmin", lambda actor, on: actor.role is Role.ADMIN)
IsAuthor = Requirement("IsAuthor", lambda actor, on: actor.id is not None
                       and actor.id == on.author_id)
IsHost = Requirement("IsHost", lambda actor, on: actor.id is not None and actor.id == on.host_id)
Anonymous = Requirement("Anonymous", lambda actor, on: on.anonymous)


def Has(permission: Permission) -> Requirement:  # noqa: N802 - reads as a formula
    """Her role grants `permission` and, for staff powers, her second factor is in place."""
    return Requirement(f"Has({permission.name})", lambda actor, on: actor.can(permission))


def Granted(permission: Permission) -> Requirement:  # noqa: N802 - reads as a formula
    """Her role grants `permission`, second factor or not (who may be restricted)."""
    return Requirement(f"Granted({permission.name})",
                       lambda actor, on: actor.has_role_grant(permission))


def StatusIn(*statuses: PostStatus) -> Requirement:  # noqa: N802 - reads as a formula
    values = frozenset(s.value for s in statuses)
    return Requirement(f"StatusIn({', '.join(sorted(values))})",
                       lambda actor, on: on.status in values)


def BoardIs(visibility: str) -> Requirement:  # noqa: N802 - reads as a formula
    return Requirement(f"BoardIs({visibility})", lambda actor, on: on.visibility == visibility)


# --- the rules (API.md) ---------------------------------------------------------------------

#: Public boards are open to all, members' boards to signed-in accounts, counsellors' boards
#: to counsellors and staff.
CanReadBoard = (BoardIs("public") | (BoardIs("members") & SignedIn)
                | Has(Permission.BOARD_READ_COUNSELLORS))
#: Authors edit and delete their own posts; moderators any.
CanEditPost = SignedIn & (IsAuthor | Has(Permission.POST_MODERATE))
#: Published content is for everyone; held or hidden content for its author and moderators;
#: removed content for moderators only.
CanSeeStatus = (StatusIn(PostStatus.PUBLISHED) | Has(Permission.POST_MODERATE)
                | (StatusIn(PostStatus.PENDING, PostStatus.HIDDEN) & IsAuthor))
#: In her own anonymous thread she replies anonymously unless she says otherwise.
RepliesAnonymouslyByDefault = Anonymous & IsAuthor
#: A room's host, with the second factor her staff powers need.
HostsRoom = IsHost & SecondFactorOk
#: On duty: a block hides nothing from her (moderators and admins everywhere, a host in her
#: room).
OnDuty = SignedIn & (Has(Permission.POST_MODERATE) | HostsRoom)
#: A block acts only on named content, for a signed-in viewer who is not on duty there.
BlockApplies = ~Anonymous & SignedIn & ~OnDuty
#: Hosts moderate their room; moderators and admins any room.
MayModerateRoom = HostsRoom | Has(Permission.ROOM_MODERATE)
#: Who may be muted or removed from a room: not its host, nor anyone whose role grants room
#: moderation (whether or not her second factor is in place yet).
MayBeRestricted = ~IsHost & ~Granted(Permission.ROOM_MODERATE)
#: The admin's powers (with the second factor).
ActsAsAdmin = IsAdmin & SecondFactorOk
