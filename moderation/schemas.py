"""Request and response shapes of moderation's API, as pydantic models.

Request models are strict (no "1" for 1) and validate bodies; response models describe the
answers in the OpenAPI document. They extend the core's `In` and `Out` bases so the document
generator treats them like the core's own.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictInt, StrictStr

from forum.api.schemas import DbId, In, Out, UserOut

TargetTypeLit = Literal["post", "room_message", "user"]
ReasonLit = Literal[
    "harassment", "sexual_harassment", "threat", "blackmail", "intimate_images",
    "personal_info", "impersonation", "stalking", "hacked_account", "hate", "self_harm",
    "spam", "other",
]
OutcomeLit = Literal["hide_from_me", "warn", "remove", "ban", "help_me_report"]
SanctionKindLit = Literal["warn", "mute", "suspend", "ban"]
HOURS_MAX = 24 * 365 * 10


# --- requests --------------------------------------------------------------------------------

class ReportIn(In):
    target_type: TargetTypeLit
    target_id: DbId
    reason: ReasonLit
    desired_outcome: OutcomeLit | None = None
    note: StrictStr | None = Field(default=None, max_length=2000)


class CheckIn(In):
    text: StrictStr = Field(max_length=40_000)


class SanctionIn(In):
    kind: SanctionKindLit
    duration_hours: StrictInt | None = Field(default=None, ge=1, le=HOURS_MAX)
    reason: StrictStr = Field(default="", max_length=2000)


class ResolveIn(In):
    decision: Literal["approve", "remove", "dismiss"]
    note: StrictStr | None = Field(default=None, max_length=2000)
    sanction: SanctionIn | None = None
    #: Optional optimistic-concurrency check: the `version` of the item as the moderator saw it.
    version: StrictInt | None = None


class BlockIn(In):
    user_id: DbId


class RuleIn(In):
    pattern: StrictStr = Field(min_length=1, max_length=200)
    kind: Literal["word", "phrase", "regex"]
    action: Literal["block", "hold", "flag", "censor"]
    note: StrictStr | None = Field(default=None, max_length=1000)


# --- responses -------------------------------------------------------------------------------

class ReportRef(Out):
    id: int
    status: Literal["open", "actioned", "dismissed"]


class ReportCreatedOut(Out):
    report: ReportRef
    #: With `desired_outcome: help_me_report`: who can help take it further.
    resources: list[HelplineOut] | None = None


class MyReportOut(Out):
    id: int
    target_type: TargetTypeLit
    target_id: int
    reason: ReasonLit
    desired_outcome: OutcomeLit | None
    status: Literal["open", "actioned", "dismissed"]
    outcome_note: str | None
    created_at: str
    resolved_at: str | None


class MyReportsOut(Out):
    reports: list[MyReportOut]
    next_cursor: str | None


class HelplineOut(Out):
    id: str
    name: str
    name_ur: str | None = None
    number: str
    #: The same as `number` (kept for clients that read it under this name).
    phone: str
    hours: str | None
    hours_ur: str | None = None
    languages: list[str] | None
    helps_with: list[str]
    source: str
    #: The date the number was last found in the public sources.
    checked: str
    #: The date it was confirmed with the service itself (null: not yet).
    verified_on: str | None = None


class CheckOut(Out):
    status: Literal["published", "pending", "blocked"]
    reasons: list[str]
    resources: list[HelplineOut]


class ReportSaidOut(Out):
    reason: str
    desired_outcome: str | None
    note: str | None


class QueueItemOut(Out):
    id: int
    target_type: TargetTypeLit
    target_id: int
    target: dict[str, Any]
    reasons: list[dict[str, Any]]
    report_count: int
    priority: Literal["crisis", "urgent", "normal"]
    #: For crisis items: `imminent`, `high` or `moderate` (the queue's first order).
    risk: Literal["imminent", "high", "moderate"] | None = None
    #: Seconds since the item (re)entered the queue; null once resolved.
    waiting_seconds: int | None = None
    status: Literal["open", "resolved"]
    created_at: str
    claimed_by: UserOut | None
    decision: Literal["approve", "remove", "dismiss"] | None
    version: int
    reports: list[ReportSaidOut]
    #: Trauma-aware review: severe (crisis, urgent, or slurs, sexual harassment, hate), the
    #: opt-out categories it is in, its text with slurs and sexual words masked (null when
    #: none), the author's content warning, and (posts) the thread around it.
    severe: bool = False
    categories: list[str] = []
    masked_text: str | None = None
    masked_words: int = 0
    masked_thread_title: str | None = None
    masked_title_words: int = 0
    content_warning: str | None = None
    context: list[dict[str, Any]] = []


class QueueOut(Out):
    items: list[QueueItemOut]
    next_cursor: str | None


class QueueItemEnvelope(Out):
    item: QueueItemOut


class ModSanctionOut(Out):
    id: int
    user_id: int
    kind: SanctionKindLit
    reason: str
    starts_at: str
    ends_at: str | None
    lifted_at: str | None
    active: bool
    issued_by: UserOut | None


class SanctionEnvelope(Out):
    sanction: ModSanctionOut


class SanctionsOut(Out):
    sanctions: list[ModSanctionOut]


class BlockOut(Out):
    user: UserOut | None
    created_at: str


class BlockEnvelope(Out):
    block: BlockOut


class BlocksOut(Out):
    blocks: list[BlockOut]


class RuleOut(Out):
    id: int
    pattern: str
    kind: Literal["word", "phrase", "regex"]
    action: Literal["block", "hold", "flag", "censor"]
    note: str
    created_by: UserOut | None
    created_at: str


class RuleEnvelope(Out):
    rule: RuleOut


class RulesOut(Out):
    rules: list[RuleOut]


class AuditEntryOut(Out):
    id: int
    actor: UserOut | None
    action: str
    target_type: str | None
    target_id: int | None
    details: dict[str, Any]
    created_at: str


class AuditOut(Out):
    entries: list[AuditEntryOut]
    next_cursor: str | None


class EvidenceEntryOut(Out):
    report: dict[str, object]
    snapshot: dict[str, object]
    prev_hash: str
    hash: str


class EvidenceOut(Out):
    entries: list[EvidenceEntryOut]
    head: str


class ModerationSettingsIn(In):
    abuse_threshold: float | None = Field(default=None, ge=0.0, le=1.0)


class ModerationSettingsOut(Out):
    abuse_threshold: float | None
    default_abuse_thresholds: dict[str, float]
    effective_abuse_thresholds: dict[str, float]


# --- trauma-aware review ----------------------------------------------------------------------

CareCategoryLit = Literal["intimate_images", "self_harm", "sexual", "threats"]


class CareIn(In):
    opt_out: list[CareCategoryLit] | None = Field(default=None, max_length=4)
    hourly_cap: StrictInt | None = Field(default=None, ge=1, le=500)


class CareOut(Out):
    opt_out: list[CareCategoryLit]
    hourly_cap: int
    severe_last_hour: int
    pause_suggested: bool
    severe_streak: int
    offer_lighter: bool


class CareEnvelope(Out):
    care: CareOut


class ExposureRowOut(Out):
    moderator: UserOut | None
    decided_last_day: int
    severe_last_day: int
    decided_last_week: int
    severe_last_week: int
    reveals_last_week: int


class ExposureOut(Out):
    moderators: list[ExposureRowOut]
    reviewers_per_category: dict[str, int]


# --- appeals ---------------------------------------------------------------------------------

class AppealIn(In):
    text: StrictStr = Field(min_length=1, max_length=2000)


class AppealSignedOutIn(AppealIn):
    """An appeal by a member who cannot sign in (suspended or banned): she proves who she is."""

    handle: StrictStr = Field(max_length=64)
    password: StrictStr = Field(max_length=1024)
    totp: StrictStr | None = Field(default=None, max_length=16)
    sanction_id: DbId


class DecideAppealIn(In):
    decision: Literal["uphold", "overturn"]
    note: StrictStr = Field(default="", max_length=2000)


class AppealOut(Out):
    id: int
    status: Literal["pending", "upheld", "overturned"]
    created_at: str | None = None
    decided_at: str | None = None
    note: str | None = None


class AppealEnvelope(Out):
    appeal: AppealOut


class MySanctionOut(Out):
    id: int
    kind: SanctionKindLit
    reason: str
    created_at: str
    ends_at: str | None
    lifted_at: str | None
    active: bool
    appeal: AppealOut | None
    appealable_until: str


class MySanctionsOut(Out):
    sanctions: list[MySanctionOut]


class StaffSanctionOut(ModSanctionOut):
    user: UserOut | None


class StaffAppealOut(Out):
    id: int
    sanction: StaffSanctionOut
    text: str
    created_at: str
    status: Literal["pending", "upheld", "overturned"]
    decided_at: str | None
    decided_by: UserOut | None
    note: str | None


class StaffAppealEnvelope(Out):
    appeal: StaffAppealOut


class AppealsOut(Out):
    appeals: list[StaffAppealOut]
