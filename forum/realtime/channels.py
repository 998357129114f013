"""The `/rooms` namespace's vocabulary: its name, the channels its sockets are put in, the
connection record of a socket, acknowledgements and reading the credentials a client sends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request
from flask import session as cookie_session

from forum.db import Database
from forum.errors import (
    DomainError,
    Invalid,
)
from forum.models.room import (
    Room,
)
from forum.realtime.state import RoomState

NAMESPACE = "/rooms"
COUNSELLORS = "counsellors"


def room_channel(room_id: int) -> str:
    """The Socket.IO room of everyone in a support room."""
    return f"room:{room_id}"


def staff_channel(room_id: int) -> str:
    """The Socket.IO room of the host and moderators present in a support room."""
    return f"room:{room_id}:staff"


def user_channel(user_id: int) -> str:
    """The Socket.IO room of every socket of one account (on this process)."""
    return f"user:{user_id}"


@dataclass(frozen=True, slots=True)
class Connection:
    """Who a socket belongs to, and through which token or browser session."""

    user_id: int
    token_id: int


@dataclass
class Work:
    """What one event must do after its commit (`effects`) or on rollback (`undo`)."""

    effects: list[Callable[[], None]] = field(default_factory=list)
    undo: list[Callable[[], None]] = field(default_factory=list)
    #: Read with the re-check of this event, in the same query: the kinds of the account's
    #: sanctions in force, the room the event names (None: no such room), whether a
    #: `RoomBan` keeps the account out of it, whether a `RoomMute` silences it there,
    #: whether it is one of the room's participants already (`RoomParticipant`), and
    #: whether any block involves the account.
    sanctions: frozenset[str] = frozenset()
    room: Room | None = None
    removed: bool = False
    muted: bool = False
    participant: bool = False
    has_blocks: bool = True


def error_ack(error: DomainError) -> dict[str, Any]:
    """A domain error as a refusal acknowledgement, with its extra fields (reasons,
    retry_after, errors) inside `error`."""
    body: dict[str, Any] = {"code": error.code, "message": error.detail}
    for key, value in error.extra.items():
        body.setdefault(key, value)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        body["retry_after"] = retry_after
    return {"ok": False, "error": body}


def current_database() -> Database:
    return current_app.extensions["forum.db"]


def current_state() -> RoomState:
    return current_app.extensions["forum.room_state"]


def require_totp() -> bool:
    return bool(current_app.config["FORUM"]["FORUM_STAFF_REQUIRE_TOTP"])


def credentials(auth: Any) -> tuple[str | None, str]:
    """The secret this connection presents: a token in `auth`, a bearer header, or the
    browser's session cookie (Flask-Login's `_user_id` is the session secret)."""
    if isinstance(auth, dict) and isinstance(auth.get("token"), str) and auth["token"]:
        return auth["token"], "bearer"
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), "bearer"
    secret = cookie_session.get("_user_id")
    if isinstance(secret, str) and secret:
        return secret, "session"
    return None, ""


def room_slug(data: Any) -> str:
    if not isinstance(data, dict) or not isinstance(data.get("room"), str) or not data["room"]:
        raise Invalid({"room": ["Name the room (its slug)."]})
    return data["room"]
