"""The one asking (`Actor`) and what roles grant (`Permission`, `GRANTS`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from forum.errors import Forbidden, TotpRequired, Unauthorized
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
