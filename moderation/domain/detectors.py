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

_SEP = r"[\s\-.]?"
_PHONE = re.compile(rf"(?<![\d+])(?:(?:\+|00){_SEP}92{_SEP}|92{_SEP}|0)3\d\d{_SEP}\d{{3}}{_SEP}\d{{4}}(?!\d)")
_CNIC = re.compile(r"(?<!\d)\d{5}([\s\-]?)\d{7}\1\d(?!\d)")
_SPACED_DIGITS = re.compile(r"(?<![\d+])\+?(?:\d[\s.\-_*,]{1,3}){9,13}\d(?!\d)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_EMAIL_SPELLED = re.compile(
    r"\b[\w.+\-]+\s*(?:\(at\)|\[at\]|\bat\b)\s*(?:gmail|yahoo|hotmail|outlook|live|icloud|proton"
    r"mail)\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*com\b",
    re.I,
)
_DIGIT_HINT = re.compile(r"\d[\s.\-_*,]{0,3}\d[\s.\-_*,]{0,3}\d")
_LINK = re.compile(
    r"https?://|\bwww\.|\b[\w\-]+\.(?:com|pk|net|org|io|me|ly|co|info|xyz|link|site|app|gl|tk)\b"
    r"(?:/|\b)",
    re.I,
)
_ASCII_DIGITS = {cp: str(int(chr(cp))) for cp in [*range(0x660, 0x66A), *range(0x6F0, 0x6FA)]}


def _phone_reason(excerpt: str) -> Reason:
    return Reason("personal_info:phone", "hold", "personal_info", "detector:personal_info", excerpt)


def detect_personal_info(text: str) -> list[Reason]:
    """Pakistani mobile numbers, CNIC numbers and e-mail addresses: all held for review.

    Why hold: on a harassment support forum a number or address is how doxxing starts, and a
    member posting her own number in distress deserves a moderator's look, not a refusal.
    """
    reasons: list[Reason] = []
    if not text.isascii():
        text = text.translate(_ASCII_DIGITS)
    low = text.lower()
    spelled = "dot" in low and "at" in low
    if not (spelled or "@" in text or _DIGIT_HINT.search(text)):
        return reasons
    found_phone = False
    for m in _PHONE.finditer(text):
        reasons.append(_phone_reason(m.group()))
        found_phone = True
    for m in _CNIC.finditer(text):
        reasons.append(
            Reason("personal_info:cnic", "hold", "personal_info", "detector:personal_info", m.group())
        )
    if not found_phone:
        for m in _SPACED_DIGITS.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if re.fullmatch(r"(?:0092|92|0)3\d{9}", digits):
                reasons.append(_phone_reason(m.group()))
            elif len(digits) == 13 and not any(r.code == "personal_info:cnic" for r in reasons):
                reasons.append(
                    Reason(
                        "personal_info:cnic",
                        "hold",
                        "personal_info",
                        "detector:personal_info",
                        m.group(),
                    )
                )
    if "@" in text:
        for m in _EMAIL.finditer(text):
            reasons.append(
                Reason(
                    "personal_info:email",
                    "hold",
                    "personal_info",
                    "detector:personal_info",
                    m.group(),
                )
            )
    for m in _EMAIL_SPELLED.finditer(text) if spelled else ():
        reasons.append(
            Reason("personal_info:email", "hold", "personal_info", "detector:personal_info", m.group())
        )
    return reasons


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
