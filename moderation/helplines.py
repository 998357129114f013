"""Help lines in Pakistan, from `moderation/data/helplines.json`.

Shown to a member whose words show crisis language, and to one who asks for help taking a
report further (`desired_outcome: help_me_report`). The data file carries its sources and the
date each number was checked; numbers must be re-checked against the services' own pages.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

#: What a member who wants to take harassment to the police or a helpline needs first.
REPORTING_HELP = frozenset({"cyber_harassment", "cyber_crime_complaint", "legal_aid"})


def load_helplines() -> tuple[dict[str, Any], ...]:
    """Every help line in the data file, in the order it lists them (crisis lines first)."""
    raw = resources.files("moderation").joinpath("data/helplines.json").read_text("utf-8")
    return tuple(dict(line) for line in json.loads(raw)["helplines"])


HELPLINES = load_helplines()
CRISIS_HELPLINES = HELPLINES
REPORTING_HELPLINES = tuple(
    line for line in HELPLINES if REPORTING_HELP & set(line.get("helps_with") or ())
)
