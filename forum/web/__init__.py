"""Server-rendered pages: translators only, like the API, with readable error pages.

`core` holds the blueprint and what every page shares; each feature has its own module. The
report and moderation pages belong to the moderation package, which adds them to the same
blueprint when `create_app` installs it.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from forum.web import (  # noqa: F401 - each module declares routes
    accounts,
    admin,
    boards,
    help,
    notifications,
    rooms,
    shield,
    text,
)
from forum.web.core import bp, page_context, page_error, safe_next


class IdConverter(IntegerConverter):
    """A database id in a page address: 1 to 2**63 - 1, so an absurd number is a 404 rather
    than an overflow inside the database driver."""

    def __init__(self, url_map: Map, **kwargs: object) -> None:
        super().__init__(url_map, min=1, max=2**63 - 1)


def init_app(app: Flask) -> None:
    """Serve the pages and render every page error readably."""
    app.url_map.converters.setdefault("id", IdConverter)
    app.context_processor(page_context)
    text.init_app(app)
    app.register_blueprint(bp)
    app.extensions["forum.page_errors"] = page_error


__all__ = ["bp", "init_app", "page_error", "safe_next"]
