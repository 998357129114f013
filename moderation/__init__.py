"""Moderation: the text pipeline (`moderation.domain`), reports, the review queue, sanctions,
blocks and the audit log. Plugged into the core by `create_app` through `install`."""
