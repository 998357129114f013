"""Domain errors: what went wrong, in the vocabulary of API.md, with no Flask import.

The API turns them into problem+json, pages into readable messages, sockets into
`{"ok": false, "error": {...}}` acknowledgements.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected failure; `code` is the stable word clients switch on."""

    code = "error"
    status = 400
    title = "Request failed"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class Invalid(DomainError):
    """Input that breaks a rule; `errors` maps field names to messages."""

    code, status, title = "validation_failed", 422, "Validation failed"

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None) -> None:
        super().__init__(detail or "Some fields need attention.", errors=errors)
        self.errors = errors


class Unauthorized(DomainError):
    code, status, title = "unauthorized", 401, "Sign-in required"


class Forbidden(DomainError):
    code, status, title = "forbidden", 403, "Not allowed"


class NotFound(DomainError):
    code, status, title = "not_found", 404, "Not found"


class Conflict(DomainError):
    code, status, title = "conflict", 409, "Conflict"


class RateLimited(DomainError):
    code, status, title = "rate_limited", 429, "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail or "Please wait a little before trying again.")
        self.retry_after = retry_after


class ContentBlocked(DomainError):
    code, status, title = "content_blocked", 422, "Content not accepted"

    def __init__(self, reasons: list[str], detail: str | None = None) -> None:
        super().__init__(
            detail or "This text cannot be posted here.", reasons=reasons
        )
        self.reasons = reasons


class Muted(DomainError):
    code, status, title = "muted", 403, "You are muted"


class Suspended(DomainError):
    code, status, title = "suspended", 403, "Account suspended"


class Banned(DomainError):
    code, status, title = "banned", 403, "Account banned"


class Blocked(DomainError):
    code, status, title = "blocked", 403, "Not possible"


class Locked(DomainError):
    code, status, title = "locked", 403, "Locked"


class TotpRequired(DomainError):
    """401 at login (a code is needed), 403 when staff powers need an enrolled second factor."""

    code, title = "totp_required", "Second factor required"

    def __init__(self, detail: str | None = None, *, at_login: bool = False) -> None:
        super().__init__(detail)
        self.status = 401 if at_login else 403


class PayloadTooLarge(DomainError):
    code, status, title = "payload_too_large", 413, "Request too large"


class MethodNotAllowed(DomainError):
    code, status, title = "method_not_allowed", 405, "Method not allowed"


class Unavailable(DomainError):
    code, status, title = "unavailable", 503, "Service unavailable"
    #: Seconds a client should wait before trying again (`Retry-After`).
    retry_after = 5


# --- the live rooms' errors (API.md, Socket.IO: not_in_room, room_full, room_closed, slow_mode)


class NotInRoom(DomainError):
    code, status, title = "not_in_room", 409, "Not in this room"


class RoomFull(DomainError):
    code, status, title = "room_full", 409, "Room full"


class RoomClosed(DomainError):
    code, status, title = "room_closed", 409, "Room closed"


class SlowMode(DomainError):
    """Slow mode: the member spoke less than `slow_mode_seconds` ago."""

    code, status, title = "slow_mode", 429, "Slow mode"

    def __init__(self, retry_after: float, detail: str | None = None) -> None:
        wait = max(1, int(retry_after + 0.999))
        super().__init__(detail or f"Slow mode is on: wait {wait} s.", retry_after=wait)
        self.retry_after = wait
