"""Seed data for a real first start: boards that fit the women Saheli serves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models.board import Board

BOARDS = [
    (
        "introductions",
        "Introductions",
        "Say salaam and tell us as much or as little as you like. A pseudonym is enough here; "
        "nobody needs your real name.",
        "public",
    ),
    (
        "online-harassment",
        "Dealing with online harassment",
        "Messages, fake profiles, threats, photos shared without consent. Share what is "
        "happening, what helped, and how to report it — you are not alone and it is not your fault.",
        "members",
    ),
    (
        "wellbeing",
        "Mental health and wellbeing",
        "Anxiety, sleeplessness, feeling watched or worn down. A gentle place to talk and to "
        "listen. If you are in danger right now, the help lines page has numbers to call.",
        "members",
    ),
    (
        "staying-safe",
        "Staying safe online",
        "Passwords, two-step verification, locking down social media, spotting a hacked "
        "account, keeping evidence. Practical help, in plain words.",
        "public",
    ),
    (
        "family-and-community",
        "Family, work and community",
        "When harassment reaches home, the office or the mohalla: talking to family, "
        "getting support at work, finding allies.",
        "members",
    ),
    (
        "counsellors",
        "Counsellors' room",
        "For counsellors and staff only: hand-overs, hard cases, looking after ourselves.",
        "counsellors",
    ),
]


def seed_database(session: Session) -> int:
    """Add any missing default board; returns how many were added (safe to run twice)."""
    existing = set(session.scalars(select(Board.slug)))
    added = 0
    for position, (slug, name, description, visibility) in enumerate(BOARDS, start=1):
        if slug in existing:
            continue
        session.add(
            Board(
                slug=slug, name=name, description=description,
                visibility=visibility, position=position,
            )
        )
        added += 1
    return added
