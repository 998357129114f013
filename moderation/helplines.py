"""Help lines in Pakistan, from `moderation/data/helplines.json` (the one source: the help
page, the crisis resources of posts and room messages, and the personal-information detector's
allow-list all read that file).

Shown to a member whose words show crisis language, and to one who asks for help taking a
report further (`desired_outcome: help_me_report`). The data file carries its sources, the date
each number was last found in them (`checked`) and the date it was confirmed with the service
itself (`verified_on`, null until then); numbers must be re-checked against the services' own
pages.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

#: What a member who wants to take harassment to the police or a helpline needs first.
REPORTING_HELP = frozenset({"cyber_harassment", "cyber_crime_complaint", "legal_aid"})
#: What a member in crisis needs first: the lines shown above everything after a crisis post.
CRISIS_HELP = frozenset({"self_harm", "suicide", "mental_health", "emergency",
                         "violence_against_women"})


def load_helplines() -> tuple[dict[str, Any], ...]:
    """Every help line in the data file, in the order it lists them (crisis lines first).

    Each keeps the file's fields (`name`, `number`, `hours`, `languages`, `verified_on`, ...)
    and also answers `phone`, the name API clients have read the number under.
    """
    raw = resources.files("moderation").joinpath("data/helplines.json").read_text("utf-8")
    lines = []
    for line in json.loads(raw)["helplines"]:
        shown = dict(line)
        shown["phone"] = shown["number"]
        lines.append(shown)
    return tuple(lines)


def digits(number: str) -> str:
    """A number as dialled: its digits only (`0311-7786264` → `03117786264`)."""
    return re.sub(r"\D", "", number)


HELPLINES = load_helplines()
CRISIS_HELPLINES = HELPLINES
REPORTING_HELPLINES = tuple(
    line for line in HELPLINES if REPORTING_HELP & set(line.get("helps_with") or ())
)
#: The help lines' own numbers, digits only: never personal information, wherever they
#: appear (the personal-information detector's allow-list; a member sharing Umang's number
#: with another is helping, not doxxing).
HELPLINE_NUMBERS: frozenset[str] = frozenset(digits(line["number"]) for line in HELPLINES)


def is_helpline_number(text: str) -> bool:
    """Whether `text` (a matched number, any separators) is one of the help lines' own."""
    return digits(text) in HELPLINE_NUMBERS
