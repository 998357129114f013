"""Moderation: the text pipeline (`moderation.domain`), reports, the review queue, sanctions,
blocks and the audit log. Plugged into the core by `create_app` through `install`."""

from __future__ import annotations

from flask import Flask


def install(app: Flask) -> None:
    """Put the moderation screener in place of the core's pass-through and serve the
    moderation API. Imports happen here so that `import moderation.models` (migrations) does
    not pull in the API or the text pipeline."""
    from moderation import (  # noqa: F401 - evidence declares its route
        evidence,
        receivers,
        web,  # noqa: F401 - moderation's pages, on the core's page blueprint
    )
    from moderation.api import bp
    from moderation.screener import ModerationScreener

    budget_ms = app.config["FORUM"].get("FORUM_REGEX_BUDGET_MS")
    app.extensions["forum.screener"] = ModerationScreener(
        regex_budget=None if budget_ms is None else int(budget_ms) / 1000
    )
    app.register_blueprint(bp)
    receivers.connect()
