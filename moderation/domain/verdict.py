"""Reasons and verdicts: what the filter decided and why, in words moderators can act on.

Why its own module: rules, detectors and the pipeline all produce ``Reason`` values, and the
service layer only ever reads a ``Verdict``; keeping the value types apart avoids import cycles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from moderation.domain.rules import ACTIONS

__all__ = ["ACTIONS", "CRISIS", "Reason", "Verdict", "strongest"]

CRISIS = "crisis"
_RANK = {a: i for i, a in enumerate(ACTIONS)}


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule or detector that fired: ``code`` for machines, ``excerpt`` for moderators only."""

    code: str
    action: str
    category: str
    source: str
    excerpt: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on one text: the strongest action, the crisis flag, and every reason."""

    action: str
    crisis: bool
    reasons: tuple[Reason, ...]
    censored_text: str | None

    @property
    def codes(self) -> list[str]:
        """The reason codes, in order, without repeats (what the API shows)."""
        seen: dict[str, None] = {}
        for r in self.reasons:
            seen.setdefault(r.code, None)
        return list(seen)


def strongest(actions: Iterable[str]) -> str:
    """The strongest of ``actions`` (``allow`` when empty); ``crisis`` is not an action here."""
    best = "allow"
    for a in actions:
        if _RANK.get(a, 0) > _RANK[best]:
            best = a
    return best
