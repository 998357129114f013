"""Detectors beside word rules: personal information, links from new accounts, flooding, crisis.

Why separate from rules: these are not lists of words. Phone and CNIC numbers, e-mail addresses
and links have shapes; flooding depends on what the author posted just before (passed in by the
caller, since the domain is pure); crisis language must never silence anyone, so it has its own
action and its phrases are kept apart from the abuse lexicons (and always loaded).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from moderation.domain.crisis import anchor_rules
from moderation.domain.identifying import detect_identifying
from moderation.domain.normalize import normalize
from moderation.domain.rules import RuleSpec, match_key
from moderation.domain.verdict import Reason

__all__ = [
    "REPEAT_LIMIT",
    "TARGET_LIMIT",
    "detect_flood",
    "detect_new_account_link",
    "detect_personal_info",
    "has_link",
    "load_crisis_rules",
]

REPEAT_LIMIT = 2  # this many identical recent messages make the next one a flood
TARGET_LIMIT = 5  # this many recent replies to one member make the next one a flood
MIN_REPEAT_KEY = 8  # "thanks" three times is not a flood

_LINK = re.compile(
    r"https?://|\bwww\.|\b[\w\-]+\.(?:com|pk|net|org|io|me|ly|co|info|xyz|link|site|app|gl|tk)\b"
    r"(?:/|\b)",
    re.I,
)


def detect_personal_info(text: str) -> list[Reason]:
    """Phone and landline numbers, CNIC numbers, e-mail and home addresses: all held for review.

    The shapes live in ``identifying.py`` (``personal_info:phone``, ``:cnic``, ``:email``,
    ``:address``); public help-line numbers are never personal information.
    """
    return detect_identifying(text)


def has_link(text: str) -> str | None:
    """The first link-like excerpt in ``text``, or None."""
    m = _LINK.search(text)
    return m.group() if m else None


def detect_new_account_link(
    text: str, account_age_seconds: float | None, threshold_seconds: float
) -> list[Reason]:
    """Hold links from accounts younger than the threshold: the usual spam and phishing shape."""
    if account_age_seconds is None or account_age_seconds >= threshold_seconds:
        return []
    link = has_link(text)
    if link is None:
        return []
    return [Reason("new_account_link", "hold", "spam", "detector:new_account_link", link)]


@lru_cache(maxsize=4096)
def _flood_key(text: str) -> str:
    return match_key(normalize(text).text).strip()


def detect_flood(
    text: str,
    recent_texts: Sequence[str],
    recent_reply_targets: Sequence[int],
    reply_target: int | None,
) -> list[Reason]:
    """The same text again and again, or many replies aimed at one member in the window.

    The caller passes the author's recent messages and reply targets from its own store (the
    domain holds no state). Texts are compared folded, so small evasions still count as repeats.
    """
    reasons: list[Reason] = []
    if recent_texts:
        key = _flood_key(text)
        if len(key) >= MIN_REPEAT_KEY:
            same = sum(1 for t in recent_texts if _flood_key(t) == key)
            if same >= REPEAT_LIMIT:
                reasons.append(Reason("flood:repeat", "hold", "spam", "detector:flood"))
    if reply_target is not None and recent_reply_targets:
        if sum(1 for t in recent_reply_targets if t == reply_target) >= TARGET_LIMIT:
            reasons.append(Reason("flood:target", "hold", "harassment", "detector:flood"))
    return reasons


def load_crisis_rules() -> list[RuleSpec]:
    """The crisis anchors (English, Urdu and Roman Urdu words; action ``crisis``): compiled into
    the rule set, a hit makes the pipeline read the text with the crisis detector, which decides
    whether it is crisis language and at what risk (``crisis.py``)."""
    return list(anchor_rules())
