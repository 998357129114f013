"""The small shapes API.md fixes for every answer: times, users, cursors and page sizes.

One copy for the core's services and for moderation (which may use this module, as it uses
the models and the policy, but never the core's services).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from forum.errors import Invalid
from forum.models.user import User

PAGE_DEFAULT = 50
PAGE_MAX = 100


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`, as API.md promises."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def user_json(user: User | None) -> dict[str, Any] | None:
    """A user as API.md shows one: `{id, handle, role}`, or None."""
    if user is None:
        return None
    return user_row_json(user.id, user.handle, user.role)


def user_row_json(
    user_id: int | None, handle: str | None, role: str | None
) -> dict[str, Any] | None:
    """`user_json` from a query's columns (None when there is no such user)."""
    if user_id is None or handle is None:
        return None
    return {"id": user_id, "handle": handle, "role": role}


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor: base64url of the sort key of the last item shown."""
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    """The sort key inside a cursor (None when there is none); 422 for a cursor this API did
    not hand out."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid({"cursor": ["This cursor is not valid."]}) from exc
    if not isinstance(values, list) or len(values) != size:
        raise Invalid({"cursor": ["This cursor is not valid."]})
    return values


def cursor_int(cursor: str | None) -> int | None:
    """A cursor holding one integer (an id or an offset)."""
    values = decode_cursor(cursor, 1)
    if values is None:
        return None
    if not isinstance(values[0], int) or isinstance(values[0], bool) or values[0] < 0:
        raise Invalid({"cursor": ["This cursor is not valid."]})
    return values[0]


def page_size(raw: str | int | None, default: int = PAGE_DEFAULT) -> int:
    """`?limit=` within 1..100."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise Invalid({"limit": ["A whole number from 1 to 100."]}) from exc
    if not 1 <= value <= PAGE_MAX:
        raise Invalid({"limit": ["A whole number from 1 to 100."]})
    return value
