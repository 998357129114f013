"""Moderation's tables: reports, review items, moderator-written rules and their version.

Blocks, sanctions and the audit log live in the core (`forum.models.safety`) because every
write path consults them; this module holds what only moderation reads and writes.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, BigId, intpk, optional_timestamp, timestamp


class TargetType(enum.StrEnum):
    """What a report or a review item is about."""

    POST = "post"
    ROOM_MESSAGE = "room_message"
    USER = "user"


class ReportReason(enum.StrEnum):
    """Why a member reports, shaped by what women bring to Pakistan's cyber-harassment helplines."""

    HARASSMENT = "harassment"
    SEXUAL_HARASSMENT = "sexual_harassment"
    THREAT = "threat"
    BLACKMAIL = "blackmail"
    INTIMATE_IMAGES = "intimate_images"
    PERSONAL_INFO = "personal_info"
    IMPERSONATION = "impersonation"
    STALKING = "stalking"
    HACKED_ACCOUNT = "hacked_account"
    HATE = "hate"
    SELF_HARM = "self_harm"
    SPAM = "spam"
    OTHER = "other"


class DesiredOutcome(enum.StrEnum):
    """What the reporter hopes for; `hide_from_me` also blocks the author for her at once."""

    HIDE_FROM_ME = "hide_from_me"
    WARN = "warn"
    REMOVE = "remove"
    BAN = "ban"
    HELP_ME_REPORT = "help_me_report"


class ReportStatus(enum.StrEnum):
    """A report is open until its review item is resolved."""

    OPEN = "open"
    ACTIONED = "actioned"
    DISMISSED = "dismissed"


class ReviewStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Decision(enum.StrEnum):
    """A moderator's decision on a review item."""

    APPROVE = "approve"
    REMOVE = "remove"
    DISMISS = "dismiss"


class Priority(enum.IntEnum):
    """Queue rank, lowest first: someone may be at risk, then danger to someone, then the rest
    (which are ordered by report count and age)."""

    CRISIS = 0
    URGENT = 1
    NORMAL = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class Report(Base):
    """One member's report of one post, room message or user.

    `snapshot` is the content as it was when reported, kept whatever happens to the content
    later (edit, removal, erasure of its author): the evidence export hashes it.
    """

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "target_type", "target_id", name="uq_reports_reporter_target"),
        # GET /reports/mine, newest first.
        Index("ix_reports_reporter_listing", "reporter_id", "id"),
        # Counting a target's reporters and closing its reports on resolve.
        Index("ix_reports_target", "target_type", "target_id", "status"),
        Index("ix_reports_target_user_id", "target_user_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(BigId)
    #: The real author of the reported content (or the reported user): for moderators only.
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(32))
    desired_outcome: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.OPEN.value)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Keyed HMAC of the /24 or /48 network the report came from (never an address): reports
    #: from one network count once towards hiding the target (`reports.auto_hide_weight`).
    network_fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[timestamp]
    resolved_at: Mapped[optional_timestamp]


class ReviewItem(Base):
    """One per target, re-opened rather than duplicated; `version` guards against two
    moderators resolving the same item at once (optimistic concurrency)."""

    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("target_type", "target_id", name="uq_review_items_target"),
        # The queue: open items, most urgent first, then by report count and age.
        Index("ix_review_items_queue", "status", "priority", "report_count", "opened_at", "id"),
        # Resolved items, most recent decision first.
        Index("ix_review_items_resolved", "status", "resolved_at", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(BigId)
    #: The real author of the content, or the reported user.
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN.value)
    #: Why it is here: filter hits (reason codes and excerpts), reports, ban-evasion holds.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    priority: Mapped[int] = mapped_column(Integer, default=Priority.NORMAL.value)
    #: The content as moderators first saw it (real author included), for when it is gone.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[optional_timestamp]
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_note: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[optional_timestamp]
    #: Earlier decisions, kept when the item is re-opened.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    created_at: Mapped[timestamp]
    #: When it was last (re-)opened: the queue's "age".
    opened_at: Mapped[timestamp]

    __mapper_args__ = {"version_id_col": version}


class ModerationRule(Base):
    """A word, phrase or pattern a moderator added at run time, beside the shipped lexicons."""

    __tablename__ = "moderation_rules"
    __table_args__ = {"sqlite_autoincrement": True}  # reasons name rules by id: never reuse one

    id: Mapped[intpk]
    pattern: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[timestamp]


class RulesVersion(Base):
    """A single row counting rule changes: every process compares it with the version of its
    compiled pipeline and rebuilds when they differ, so a new rule holds at once everywhere."""

    __tablename__ = "moderation_rules_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigId, default=0)
    #: A fresh random value on every change: what processes compare (a counter alone could
    #: repeat after a rolled-back change).
    stamp: Mapped[str] = mapped_column(String(32), default="")
    changed_at: Mapped[optional_timestamp]
    #: The learned detector's flag threshold set by moderators (None: the model's own default,
    #: chosen on validation data). Part of this row so a change reaches every process at once.
    abuse_threshold: Mapped[float | None] = mapped_column(Float)


class ModeratorCare(Base):
    """One moderator's review settings (trauma-aware review): the categories she chose not to
    review and her soft hourly cap of severe items. No row: the defaults."""

    __tablename__ = "moderator_care"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    #: Categories kept out of her queue (`intimate_images`, `self_harm`, `sexual`, `threats`).
    opt_out: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Severe items an hour after which the queue suggests a pause (soft: it never blocks).
    hourly_cap: Mapped[int] = mapped_column(Integer, default=25)
    updated_at: Mapped[timestamp]


class Exposure(Base):
    """One item a moderator decided on (`decided`) or whose masked words she asked to see
    (`revealed`), and whether it was severe: counted for her own pacing and for admins'
    numbers. What she saw is never shown to anyone (the item id only keeps a reveal shown
    to her for the rest of the hour)."""

    __tablename__ = "moderator_exposure"
    __table_args__ = (
        Index("ix_moderator_exposure_user_created", "user_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    severe: Mapped[bool] = mapped_column(Boolean, default=False)
    review_item_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("review_items.id", ondelete="SET NULL")
    )
    created_at: Mapped[timestamp]
