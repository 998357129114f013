"""Server-rendered pages: translators only, like the API, with readable error pages.

`core` holds the blueprint and what every page shares; each feature has its own module. The
report and moderation pages need the moderation package and are only added when it is there.
"""

from __future__ import annotations

import importlib
import logging

from flask import Flask

from forum.web import accounts, boards, help, rooms  # noqa: F401 - each module declares routes
from forum.web.core import bp, page_context, page_error, safe_next, when

log = logging.getLogger(__name__)

#: Pages that need the moderation package (reports, the review queue ...).
OPTIONAL_PAGES = ("forum.web.reports", "forum.web.moderation")

for _name in OPTIONAL_PAGES:
    try:
        importlib.import_module(_name)
    except ImportError:  # pragma: no cover - the moderation package ships with the project
        log.info("pages of %s are off: the moderation package is missing", _name)


def init_app(app: Flask) -> None:
    """Serve the pages and render every page error readably."""
    app.context_processor(page_context)
    app.add_template_filter(when, "when")
    app.register_blueprint(bp)
    app.extensions["forum.page_errors"] = page_error


__all__ = ["bp", "init_app", "page_error", "safe_next"]
