"""Moderation's pages: reporting a post, one's reports, the review queue, sanctions, rules and
the audit log. They use the core's page toolkit (`forum.web.core`: the blueprint, CSRF,
rendering) as the moderation API uses `forum.api.core`, and `moderation.install` imports them
before the blueprint is registered, so the core never imports moderation."""

from moderation.web import appeals, blocks, queue, reports

__all__ = ["appeals", "blocks", "queue", "reports"]
