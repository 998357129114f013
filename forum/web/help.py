"""The help-lines page, from `moderation/data/helplines.json` when it is there.

The data file belongs to the moderation package (which also shows these lines after crisis
language); the page reads it through this small loader so the core runs, and the page still
answers with its general advice, when the file is absent or unreadable.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from forum.web.core import bp, page

log = logging.getLogger(__name__)

HELPLINES_FILE = Path(__file__).resolve().parents[2] / "moderation" / "data" / "helplines.json"


def load_helplines(path: Path = HELPLINES_FILE) -> list[dict[str, Any]]:
    """Every help line with at least a name and a phone number; [] when the file is missing
    or malformed (a broken data file must not take the page down)."""
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        log.warning("help lines file %s is unreadable", path.name)
        return []
    lines = raw.get("helplines") if isinstance(raw, dict) else raw
    if not isinstance(lines, list):
        return []
    return [
        dict(line) for line in lines
        if isinstance(line, dict) and line.get("name") and line.get("phone")
    ]


@bp.get("/help")
def help_lines() -> Any:
    """Who to call, in a crisis or to take harassment further."""
    return page("web/help.html", helplines=load_helplines())
