"""Words for moderators in place of codes: why an item is in the queue (filter codes such as
`lexicon:slur`, `threat:violence`, `crisis:self_harm`, and report reasons), what the reporter
asked for, and the opt-out categories. Pages never show a code raw (issue #18)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext

from moderation.web.reports import OUTCOMES, REASONS

#: Report reasons and desired outcomes: the words the reporter chose on the report form.
REPORT_REASONS: dict[str, Any] = dict(REASONS)
DESIRED_OUTCOMES: dict[str, Any] = {k: v for k, v in OUTCOMES if k}

#: A reason code's head (`threat` in `threat:violence`) or a filter category.
FILTER_REASONS: dict[str, Any] = {
    "crisis": lazy_gettext("Words about suicide or self-harm"),
    "self_harm": lazy_gettext("Words about suicide or self-harm"),
    "threat": lazy_gettext("A threat of violence"),
    "coercion": lazy_gettext("Pressure or blackmail"),
    "personal_info": lazy_gettext("Personal details (phone, address, ID)"),
    "slur": lazy_gettext("A slur"),
    "sexual_harassment": lazy_gettext("Sexual words or harassment"),
    "harassment": lazy_gettext("Insults or harassment"),
    "profanity": lazy_gettext("Swearing"),
    "hate": lazy_gettext("Hate"),
    "abuse_score": lazy_gettext("The abuse detector scored it high"),
    "abuse": lazy_gettext("The abuse detector scored it high"),
    "flood": lazy_gettext("Many posts in a short time"),
    "new_account_link": lazy_gettext("A link from a new account"),
    "ban_evasion": lazy_gettext("Possibly a banned member's new account"),
    "spam": lazy_gettext("Spam"),
}
RULE_HIT = lazy_gettext("A filter rule moderators added")
UNKNOWN = lazy_gettext("Another reason")

RISKS: dict[str, Any] = {
    "imminent": lazy_gettext("imminent risk"),
    "high": lazy_gettext("high risk"),
    "moderate": lazy_gettext("moderate risk"),
}
PRIORITIES: dict[str, Any] = {
    "crisis": lazy_gettext("Someone may be at risk"),
    "urgent": lazy_gettext("Urgent"),
    "normal": lazy_gettext("Normal"),
}
CATEGORIES: dict[str, Any] = {
    "intimate_images": lazy_gettext("Intimate images"),
    "self_harm": lazy_gettext("Suicide and self-harm"),
    "sexual": lazy_gettext("Sexual harassment"),
    "threats": lazy_gettext("Threats of violence"),
}
DECISIONS: dict[str, Any] = {
    "approve": lazy_gettext("Approved: it can stay"),
    "remove": lazy_gettext("Removed"),
    "dismiss": lazy_gettext("Reports dismissed"),
}
SANCTION_KINDS: dict[str, Any] = {
    "warn": lazy_gettext("Warning"),
    "mute": lazy_gettext("Mute (can read, cannot post)"),
    "suspend": lazy_gettext("Suspension (cannot sign in)"),
    "ban": lazy_gettext("Ban"),
}
TARGET_TYPES: dict[str, Any] = {
    "post": lazy_gettext("Post"),
    "room_message": lazy_gettext("Room message"),
    "user": lazy_gettext("Account"),
}


def reason_label(reason: dict[str, Any]) -> Any:
    """The words for one reason an item is queued: a report's reason as the reporter chose
    it, a filter's reason by its code's head or category, a moderator's rule as such."""
    if reason.get("source") == "report" and reason.get("reason") in REPORT_REASONS:
        return REPORT_REASONS[str(reason["reason"])]
    code = str(reason.get("code") or "")
    head = code.split(":", 1)[0]
    if head in FILTER_REASONS:
        return FILTER_REASONS[head]
    if code.startswith("rule:") or str(reason.get("origin") or "").startswith("rule:"):
        return RULE_HIT
    category = str(reason.get("category") or "")
    return FILTER_REASONS.get(category, UNKNOWN)


def reason_labels(reasons: list[dict[str, Any]]) -> list[str]:
    """Each distinct label once, in the order first met."""
    return list(dict.fromkeys(str(reason_label(r)) for r in reasons))
