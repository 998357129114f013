"""Reasons and verdicts: what the filter decided and why, in words moderators can act on.

Why its own module: rules, detectors and the pipeline all produce ``Reason`` values, and the
service layer only ever reads a ``Verdict``; keeping the value types apart avoids import cycles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from moderation.domain.rules import ACTIONS

__all__ = ["ACTIONS", "CRISIS", "Reason", "Verdict", "joined", "strongest"]

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
    #: Help lines are offered: the text holds crisis words (a crisis anchor), whether or not
    #: the detector read a crisis in it. Showing help lines costs little and missing one costs
    #: much, so they go wider than the alert (`crisis`), which calls a person.
    offers_help: bool = False

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


def joined(parts: Iterable[tuple[str, Verdict]], separator: str = "\n") -> Verdict:
    """One verdict for a text screened in parts (a thread's title and body, each judged on its
    own so a long bland title cannot dilute the body): the strongest action, crisis if any
    part raised it, every reason, and the censored text of the parts joined as the text is."""
    items = list(parts)
    reasons = tuple(r for _text, v in items for r in v.reasons)
    censored = None
    if any(v.censored_text is not None for _text, v in items):
        censored = separator.join(v.censored_text or text for text, v in items)
    return Verdict(strongest(v.action for _text, v in items), any(v.crisis for _t, v in items),
                   reasons, censored, any(v.offers_help for _t, v in items))
