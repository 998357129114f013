"""Request and response shapes of the API, as pydantic models.

Request models validate bodies; response models only describe answers in the OpenAPI document
(answers are built as plain dicts on the hot path, and a test checks they match).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

#: A database id in a request body: 1 to 2**63 - 1, the largest id the databases store.
DbId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]


class In(BaseModel):
    """Base of request bodies: strict types (no "1" for 1), unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class Out(BaseModel):
    """Base of response descriptions."""

    model_config = ConfigDict(extra="allow")


# --- requests --------------------------------------------------------------------------------

class RegisterIn(In):
    handle: StrictStr = Field(max_length=64)
    password: StrictStr = Field(max_length=1024)


class LoginIn(In):
    handle: StrictStr = Field(max_length=64)
    password: StrictStr = Field(max_length=1024)
    totp: StrictStr | None = Field(default=None, max_length=16)


class RecoverIn(In):
    handle: StrictStr = Field(max_length=64)
    recovery_code: StrictStr = Field(max_length=64)
    new_password: StrictStr = Field(max_length=1024)
    #: Needed when the account has a second factor enrolled (issue #12).
    totp: StrictStr | None = Field(default=None, max_length=16)


class RoleIn(In):
    role: Literal["member", "counsellor", "moderator", "admin"]


class TotpConfirmIn(In):
    code: StrictStr = Field(max_length=16)


class TotpStartIn(In):
    """Re-enrolling over an enrolled second factor needs a current `code` or the `password`."""

    code: StrictStr | None = Field(default=None, max_length=16)
    password: StrictStr | None = Field(default=None, max_length=1024)


class PasswordIn(In):
    password: StrictStr | None = Field(default=None, max_length=1024)


class BoardIn(In):
    slug: StrictStr = Field(max_length=64)
    name: StrictStr = Field(max_length=100)
    description: StrictStr = Field(default="", max_length=2000)
    visibility: Literal["public", "members", "counsellors"] = "public"


class ThreadIn(In):
    title: StrictStr = Field(max_length=400)
    body: StrictStr = Field(max_length=40_000)
    content_warning: StrictStr | None = Field(default=None, max_length=400)
    anonymous: StrictBool = False


class PostIn(In):
    body: StrictStr = Field(max_length=40_000)
    reply_to: DbId | None = None
    content_warning: StrictStr | None = Field(default=None, max_length=400)
    anonymous: StrictBool = False


class PostEditIn(In):
    body: StrictStr = Field(max_length=40_000)


class ReactionIn(In):
    kind: Literal["support"] = "support"


# --- responses -------------------------------------------------------------------------------

class UserOut(Out):
    id: int
    handle: str
    role: Literal["member", "counsellor", "moderator", "admin"]


class SanctionOut(Out):
    id: int
    kind: Literal["warn", "mute", "suspend", "ban"]
    reason: str
    starts_at: str
    ends_at: str | None
    lifted_at: str | None = None


class SignedInOut(Out):
    user: UserOut
    token: str


class RegisteredOut(SignedInOut):
    recovery_codes: list[str]


class MeOut(Out):
    user: UserOut
    sanctions: list[SanctionOut]


class UserEnvelope(Out):
    user: UserOut


class TotpStartOut(Out):
    secret: str
    otpauth_uri: str


class OkOut(Out):
    ok: bool


class BoardOut(Out):
    slug: str
    name: str
    description: str
    visibility: Literal["public", "members", "counsellors"]
    thread_count: int


class BoardsOut(Out):
    boards: list[BoardOut]


class BoardEnvelope(Out):
    board: BoardOut


class ThreadOut(Out):
    id: int
    title: str
    author: UserOut | None
    anonymous: bool
    created_at: str
    last_post_at: str
    post_count: int
    content_warning: str | None
    pinned: bool
    locked: bool


class ThreadsOut(Out):
    threads: list[ThreadOut]
    next_cursor: str | None


class PostOut(Out):
    id: int
    thread_id: int
    author: UserOut | None
    anonymous: bool
    body_html: str
    content_warning: str | None
    status: Literal["published", "pending", "hidden", "removed"]
    created_at: str
    edited_at: str | None
    reply_to: int | None
    reaction_counts: dict[str, int]


class ModerationOut(Out):
    status: Literal["published", "pending", "blocked"]
    reasons: list[str]
    resources: list[dict[str, object]] | None = None


class ThreadCreatedOut(Out):
    thread: ThreadOut
    post: PostOut
    moderation: ModerationOut


class PostCreatedOut(Out):
    post: PostOut
    moderation: ModerationOut


class ThreadPageOut(Out):
    thread: ThreadOut
    posts: list[PostOut]
    next_cursor: str | None


class ProblemOut(Out):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: dict[str, list[str]] | None = None
    reasons: list[str] | None = None


class ReactionOut(Out):
    reaction_counts: dict[str, int]


class EraseIn(In):
    password: StrictStr = Field(max_length=1024)
    erase_posts: StrictBool = False


class SessionOut(Out):
    id: int
    kind: Literal["bearer", "session"]
    created_at: str
    expires_at: str
    current: bool


class SessionsOut(Out):
    sessions: list[SessionOut]


class RecoveryCodesOut(Out):
    recovery_codes: list[str]


class ExportOut(Out):
    format: str
    account: dict[str, object]
    posts: list[dict[str, object]]


# --- notifications (issue #16) ---------------------------------------------------------------

class NotificationsReadIn(In):
    """`ids` to mark read; none: all of hers."""

    ids: list[DbId] | None = Field(default=None, max_length=1000)


class QuietHoursIn(In):
    start: StrictStr = Field(max_length=5)
    end: StrictStr = Field(max_length=5)


class NotificationSettingsIn(In):
    """Only the fields sent change; `quiet_hours: null` ends quiet hours."""

    quiet_hours: QuietHoursIn | None = None
    timezone: StrictStr | None = Field(default=None, max_length=64)
    muted_boards: list[StrictStr] | None = Field(default=None, max_length=500)


class NotificationOut(Out):
    id: int
    kind: str
    created_at: str
    read_at: str | None
    count: int
    thread_id: int | None = None
    post_id: int | None = None
    room: str | None = None
    request_id: int | None = None
    report_id: int | None = None
    sanction_id: int | None = None
    appeal_id: int | None = None
    invite_id: int | None = None


class NotificationsOut(Out):
    notifications: list[NotificationOut]
    unread_count: int
    next_cursor: str | None


class UnreadCountOut(Out):
    unread_count: int


class QuietHoursOut(Out):
    start: str
    end: str


class NotificationSettingsOut(Out):
    quiet_hours: QuietHoursOut | None
    timezone: str
    muted_boards: list[str]


class NotificationSettingsEnvelope(Out):
    settings: NotificationSettingsOut


# --- shield mode (issue #17) ------------------------------------------------------------------

class ShieldIn(In):
    """`on`; `days`: 7, 14 or 28 (default 7); `hold`: a subset of `new_accounts`,
    `strangers` (default both)."""

    on: StrictBool
    days: StrictInt | None = None
    hold: list[StrictStr] | None = Field(default=None, max_length=2)


class ShieldDecideIn(In):
    block: StrictBool = False


class ShieldHelperIn(In):
    user_id: DbId


class ShieldRecapOut(Out):
    held: int
    released: int
    rejected: int
    ended_at: str | None


class ShieldInviteOut(Out):
    id: int
    helper: UserOut | None
    status: Literal["invited", "accepted"]
    created_at: str | None = None
    owner: UserOut | None = None


class ShieldOut(Out):
    on: bool
    until: str | None
    hold: list[Literal["new_accounts", "strangers"]]
    held_count: int
    helpers: list[UserOut | None]
    invites: list[ShieldInviteOut] = []
    recap: ShieldRecapOut | None = None


class ShieldEnvelope(Out):
    shield: ShieldOut


class ShieldThreadOut(Out):
    id: int
    title: str


class ShieldHeldItemOut(Out):
    post: PostOut
    held_at: str
    thread: ShieldThreadOut


class ShieldHeldOut(Out):
    items: list[ShieldHeldItemOut]


class ShieldDecisionOut(Out):
    post_id: int
    state: Literal["released", "rejected"]
    blocked: bool


class ShieldInviteEnvelope(Out):
    invite: ShieldInviteOut


class ShieldInvitesOut(Out):
    invites: list[ShieldInviteOut]


class ShieldActivityItemOut(Out):
    helper: UserOut | None
    action: Literal["release", "reject", "block"]
    post_id: int | None
    created_at: str


class ShieldActivityOut(Out):
    activity: list[ShieldActivityItemOut]
