"""The screener: the one seam through which posting asks moderation what to do with a text.

`forum` defines the interface and a pass-through default, so the core runs and is tested
without the moderation package; `create_app` installs moderation's screener in its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import current_app
from sqlalchemy.orm import Session

from forum.models.user import User


@dataclass(frozen=True, slots=True)
class Submission:
    """A text someone wants to publish, with what the screener may need to know."""

    author: User
    text: str
    kind: str  # "thread", "post", "edit", "room_message"
    reply_target_user_id: int | None = None
    place: str | None = None  # board slug or room slug, for snapshots
    #: A thread's title: `text` is then `heading + "\n" + body`, and a screener judges the
    #: two parts each (a censored text keeps the same shape).
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Screening:
    """The screener's answer.

    `status` is what the content becomes: `published`, `pending` (held for review) or
    `blocked` (refused). `reasons` are reason codes safe to show the author; `detail` is
    whatever the screener needs back in `record` (opaque to the core).
    """

    status: str
    reasons: tuple[str, ...] = ()
    resources: tuple[dict[str, Any], ...] = ()
    censored_text: str | None = None
    is_crisis: bool = False
    needs_review: bool = False
    detail: Any = field(default=None, compare=False)

    @property
    def offers_help(self) -> bool:
        """Help lines go with this text: a crisis, or words of crisis the screener did not
        read as one (help lines reach wider than the counsellors' alert, `is_crisis`)."""
        return bool(self.resources)

    def as_json(self) -> dict[str, Any]:
        """The `moderation` field of API answers."""
        answer: dict[str, Any] = {"status": self.status, "reasons": list(self.reasons)}
        if self.offers_help:
            answer["resources"] = list(self.resources)
        return answer


class Screener(Protocol):
    """What posting calls: `screen` before writing, `record` after the content has an id."""

    def screen(self, session: Session, submission: Submission) -> Screening: ...

    def record(
        self,
        session: Session,
        submission: Submission,
        screening: Screening,
        target_type: str,
        target_id: int,
    ) -> None: ...

    def warm_up(self, session: Session) -> None:
        """Load and build, before serving, whatever screening keeps for the process's life."""
        ...


class PassThroughScreener:
    """Publishes everything: the core's default when no moderation package is installed."""

    def screen(self, session: Session, submission: Submission) -> Screening:
        return Screening(status="published")

    def record(
        self,
        session: Session,
        submission: Submission,
        screening: Screening,
        target_type: str,
        target_id: int,
    ) -> None:
        return None

    def warm_up(self, session: Session) -> None:
        return None


def installed_screener() -> Screener:
    """The screener `create_app` installed for this application."""
    return current_app.extensions["forum.screener"]
