"""Reading the audit log: every moderator and admin action, and every look at an anonymous
author, newest first. Writing it is the core's `record_action`, called by each use case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from forum.errors import Invalid
from forum.models.safety import AuditEntry
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.shapes import decode_cursor, encode_cursor, iso, user_json


def list_entries(
    session: Session,
    actor: Actor,
    *,
    cursor: str | None,
    limit: int,
    action: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of audit entries, newest first, optionally of one action."""
    actor.require(Permission.AUDIT_READ)
    query = (
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit + 1)
    )
    if action:
        query = query.where(AuditEntry.action == action)
    key = decode_cursor(cursor, 2)
    if key is not None:
        try:
            at = dt.datetime.fromisoformat(str(key[0]).replace("Z", "+00:00"))
            last_id = int(key[1])
        except (TypeError, ValueError) as exc:
            raise Invalid({"cursor": ["This cursor is not valid."]}) from exc
        query = query.where(tuple_(AuditEntry.created_at, AuditEntry.id) < tuple_(at, last_id))
    rows = session.execute(query).all()
    entries = [entry_json(entry, user) for entry, user in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor([iso(last.created_at), last.id])
    return entries, next_cursor


def entry_json(entry: AuditEntry, user: User | None) -> dict[str, Any]:
    """An audit entry as API.md shows it."""
    return {
        "id": entry.id,
        "actor": user_json(user),
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "details": entry.details or {},
        "created_at": iso(entry.created_at),
    }
