"""How the pages show what people wrote and when: her time zone, bidi isolation, languages.

- **Times** are shown in the forum's time zone (`FORUM_TIME_ZONE`, default `Asia/Karachi`: the
  members are in Pakistan, UTC+5), never with seconds, and relative while that reads better
  ("5 minutes ago", "in 3 hours" up to a day away), in a `<time datetime=…>` element whose
  `title` holds the full date.
- **Members' text** (titles, posts, names, descriptions) carries `dir="auto"` and a `lang`
  guessed from its script: mostly Urdu letters is `ur` (so the Urdu font stack of `site.css`
  applies, in the English interface too), anything else `en` (Roman Urdu cannot be told from
  English by its letters; `en` at least keeps the Nastaliq font off Latin text).
- **Names and numbers inside a sentence** are wrapped in `<bdi>` so an Urdu handle in an
  English line (or the reverse) cannot reorder the words around it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import dates
from flask import Flask
from flask_babel import get_locale, get_timezone, gettext
from markupsafe import Markup, escape

from forum.models.defaults import seeded_texts

#: How far from now a time reads better as "… ago" / "in …".
RELATIVE_WITHIN = dt.timedelta(hours=23)


def _as_datetime(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value and value.tzinfo is None else value
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def full_time(value: dt.datetime) -> str:
    """The date and the hour and minute in her time zone and language (no seconds)."""
    locale, zone = get_locale(), get_timezone()
    day = dates.format_skeleton("yMMMd", value, tzinfo=zone, locale=locale)
    return f"{day}, {dates.format_time(value, 'short', tzinfo=zone, locale=locale)}"


def when(value: str | dt.datetime | None, now: dt.datetime | None = None) -> str:
    """A time from a service (ISO string or datetime) as she reads it best: "just now",
    "5 minutes ago", "in 2 hours", "4 Dec, 3:05 AM", or "4 Dec 2025" for another year."""
    moment = _as_datetime(value)
    if moment is None:
        return value if isinstance(value, str) else ""
    now = now or dt.datetime.now(dt.UTC)
    delta = moment - now
    locale, zone = get_locale(), get_timezone()
    if abs(delta) < dt.timedelta(seconds=45):
        return gettext("just now")
    if abs(delta) < RELATIVE_WITHIN:
        return dates.format_timedelta(delta, granularity="minute", threshold=1,
                                      add_direction=True, locale=locale)
    local, today = moment.astimezone(zone), now.astimezone(zone)
    if local.year != today.year:
        return dates.format_skeleton("yMMMd", moment, tzinfo=zone, locale=locale)
    day = dates.format_skeleton("MMMd", moment, tzinfo=zone, locale=locale)
    return f"{day}, {dates.format_time(moment, 'short', tzinfo=zone, locale=locale)}"


def date_time(value: str | dt.datetime | None) -> str:
    """The full date and time, never relative: for sentences ("It ends on …")."""
    moment = _as_datetime(value)
    return full_time(moment) if moment is not None else ""


def time_tag(value: str | dt.datetime | None) -> Markup:
    """`<time datetime="…Z" title="full date">relative or short</time>`."""
    moment = _as_datetime(value)
    if moment is None:
        return Markup("")
    iso = moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso, full_time(moment), when(moment))


def _is_urdu_letter(char: str) -> bool:
    code = ord(char)
    return (0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF
            or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF)


def text_lang(text: Any) -> str:
    """`ur` when most letters of the text are Urdu (Arabic-script) letters, else `en`."""
    urdu = latin = 0
    in_tag = False
    for char in str(text or "")[:2000]:
        if char == "<":
            in_tag = True
        elif char == ">":
            in_tag = False
        elif not in_tag and char.isalpha():
            if _is_urdu_letter(char):
                urdu += 1
            else:
                latin += 1
    return "ur" if urdu > latin else "en"


def text_attrs(text: Any) -> Markup:
    """` dir="auto" lang="…"` for an element holding a member's text."""
    return Markup(' dir="auto" lang="{}"').format(text_lang(text))


def user_text(text: Any) -> Markup:
    """A member's short text inside a line: `<bdi dir="auto" lang="…">text</bdi>`."""
    return Markup('<bdi dir="auto" lang="{}">{}</bdi>').format(text_lang(text), text)


def board_text(value: Any) -> Any:
    """A default board's name or description in the page's language (`forum.models.defaults` marks them
    for the catalogue); any other board's text as its admin wrote it."""
    if isinstance(value, str) and value in seeded_texts():
        return gettext(value)
    return value


def bdi(value: Any) -> Markup:
    """A name or number isolated from the sentence around it."""
    return Markup("<bdi>{}</bdi>").format(escape(value))


def init_app(app: Flask) -> None:
    """Register the filters and the forum's time zone for Flask-Babel."""
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["FORUM"]["FORUM_TIME_ZONE"])
    app.add_template_filter(when, "when")
    app.add_template_filter(time_tag, "time_tag")
    app.add_template_filter(date_time, "date_time")
    app.add_template_filter(text_attrs, "text_attrs")
    app.add_template_filter(user_text, "user_text")
    app.add_template_filter(bdi, "bdi")
    app.add_template_filter(board_text, "board_text")
