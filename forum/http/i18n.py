"""Languages of the pages: English and Urdu, with Flask-Babel.

The language is chosen by the signed-in account's `locale` column, then the `lang` cookie (set by
the switcher on every page, so it also works before signing in), then `Accept-Language`. Urdu
pages are laid out right to left. Catalogues live in `translations/`; `make` compiles them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import Babel

#: Languages the pages speak, first the default.
SUPPORTED: tuple[str, ...] = ("en", "ur")
#: Languages written right to left.
RTL: frozenset[str] = frozenset({"ur"})
#: The name of each language in itself, for the switcher.
NATIVE_NAMES: dict[str, str] = {"en": "English", "ur": "اردو"}
LANG_COOKIE = "lang"
#: A year: the choice outlives the session, like any language setting.
LANG_COOKIE_AGE = 365 * 86400

babel = Babel()


def normalise(value: str | None) -> str | None:
    """A supported language code for `value` (`ur-PK` → `ur`), or None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in SUPPORTED else None


def select_locale() -> str:
    """The account's choice, then the cookie, then the browser's `Accept-Language`."""
    cached = g.get("page_locale")
    if cached is not None:
        return cached
    chosen: str | None = None
    try:
        from forum.http.sessions import current_actor

        actor = current_actor()
        if actor.user is not None:
            chosen = normalise(actor.user.locale)
    except RuntimeError:  # outside a request: no actor
        chosen = None
    if chosen is None:
        chosen = normalise(request.cookies.get(LANG_COOKIE))
    if chosen is None:
        chosen = request.accept_languages.best_match(SUPPORTED) or SUPPORTED[0]
    g.page_locale = chosen
    return chosen


def text_direction(locale: str) -> str:
    """`rtl` for Urdu, `ltr` otherwise."""
    return "rtl" if locale in RTL else "ltr"


def _page_language() -> dict[str, Any]:
    locale = select_locale()
    return {
        "page_lang": locale,
        "page_dir": text_direction(locale),
        "languages": [(code, NATIVE_NAMES[code]) for code in SUPPORTED],
    }


def init_app(app: Flask) -> None:
    """Install Flask-Babel with Saheli's locale selector and the `page_lang`/`page_dir`
    template variables used by `base.html`."""
    translations = Path(__file__).resolve().parents[2] / "translations"
    app.config.setdefault("BABEL_DEFAULT_LOCALE", SUPPORTED[0])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(translations))
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(_page_language)
