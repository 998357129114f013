"""The core tables. Models hold columns, relations and invariants; they never commit."""

from forum.models.board import (
    Board,
    Post,
    PostStatus,
    Reaction,
    Thread,
    Visibility,
    change_post_status,
)
from forum.models.idempotency import IdempotentAnswer  # noqa: F401
from forum.models.notification import (
    BoardMute,
    Notification,
    NotificationKind,
    NotificationSettings,
    ThreadFollow,
)
from forum.models.room import (  # noqa: F401
    Room,
    RoomBan,
    RoomMessage,
    RoomMute,
    RoomParticipant,
    SupportRequest,
)
from forum.models.safety import AuditEntry, Block, HiddenItem, Sanction, SanctionKind
from forum.models.shield import (  # noqa: F401
    Shield,
    ShieldActivity,
    ShieldHelper,
    ShieldHold,
)
from forum.models.user import AuthToken, RecoveryCode, Role, User

__all__ = [
    "AuditEntry",
    "AuthToken",
    "Block",
    "Board",
    "BoardMute",
    "HiddenItem",
    "Notification",
    "NotificationKind",
    "NotificationSettings",
    "Post",
    "PostStatus",
    "Reaction",
    "RecoveryCode",
    "Role",
    "Sanction",
    "SanctionKind",
    "Thread",
    "ThreadFollow",
    "User",
    "Visibility",
    "change_post_status",
]
