"""The help-lines page, and the help lines every page can put first after crisis language,
from `moderation/data/helplines.json` (the one source) when it is there.

The data file belongs to the moderation package (which also shows these lines after crisis
language); the pages read it through this small loader so the core runs, and the page still
answers with its general advice, when the file is absent or unreadable. Moderators also see
where each number came from and whether it was confirmed with the service (`verified_on`).
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from forum import db
from forum.http.sessions import current_actor
from forum.policy import Permission
from forum.services import rooms, support
from forum.web.core import bp, page

log = logging.getLogger(__name__)

HELPLINES_FILE = Path(__file__).resolve().parents[2] / "moderation" / "data" / "helplines.json"

#: The lines put above everything after crisis language: who to call now.
CRISIS_HELP = frozenset({"self_harm", "suicide", "mental_health", "emergency",
                         "violence_against_women"})


def load_helplines(path: Path = HELPLINES_FILE) -> list[dict[str, Any]]:
    """Every help line with at least a name and a number; [] when the file is missing
    or malformed (a broken data file must not take the page down). Each line has `number`
    and `dial` (its digits, for `tel:` links)."""
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
    shown = []
    for line in lines:
        if not isinstance(line, dict) or not line.get("name"):
            continue
        number = line.get("number") or line.get("phone")
        if not isinstance(number, str) or not number:
            continue
        dial = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        shown.append({**line, "number": number, "dial": dial})
    return shown


@lru_cache(maxsize=4)
def _cached(path: Path, mtime: float) -> tuple[dict[str, Any], ...]:
    return tuple(load_helplines(path))


def all_lines(path: Path = HELPLINES_FILE) -> list[dict[str, Any]]:
    """`load_helplines`, read again only when the file changed."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return []
    return list(_cached(path, mtime))


def crisis_lines() -> list[dict[str, Any]]:
    """The lines for someone who may be at risk now (all of them if none says so)."""
    lines = all_lines()
    first = [line for line in lines if CRISIS_HELP & set(line.get("helps_with") or ())]
    return first or lines


def staff_online() -> bool | None:
    """Whether a counsellor or moderator has a live connection now (None: this server has
    no live rooms, so it cannot tell)."""
    state = rooms.installed_room_state()
    if state is None:
        return None
    try:
        return support.staff_online(db.session(), state)
    except Exception:  # noqa: BLE001 - the help lines matter more than this sentence
        log.warning("could not tell whether staff are online")
        return None


@bp.app_context_processor
def _crisis_context() -> dict[str, Any]:
    """What the crisis box of every page needs (called only when it is shown)."""
    return {"crisis_lines": crisis_lines, "staff_online": staff_online}


@bp.get("/help")
def help_lines() -> Any:
    """Who to call, in a crisis or to take harassment further."""
    actor = current_actor()
    staff = actor.can(Permission.QUEUE_REVIEW) or actor.can(Permission.SUPPORT_ACCEPT)
    return page("web/help.html", helplines=load_helplines(), show_sources=staff)
