"""The audit log: one entry per moderator or admin action and per look at an anonymous author.

A thin layer over the `AuditEntry` model, shared by the core and `moderation` alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from forum.models.safety import AuditEntry
from forum.policy import Actor


def record_action(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str | None = None,
    target_id: int | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry in the caller's unit of work (it commits with the action itself)."""
    entry = AuditEntry(
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details,
    )
    session.add(entry)
    return entry
