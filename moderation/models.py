"""Moderation's tables: reports, review items, rules (filled in by the moderation work)."""
