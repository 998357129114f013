"""One error vocabulary for the JSON API: every failure is problem+json (RFC 9457).

Domain errors carry their stable `code`; HTTP errors raised by Flask or Werkzeug (unknown
routes, wrong methods, bodies over the limit) are translated too, so a client never sees an
HTML error page or a stack trace.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from forum.errors import DomainError, RateLimited, Unavailable
from forum.http.limits import retry_after_seconds

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "validation_failed",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "validation_failed",
    422: "validation_failed",
    429: "rate_limited",
    503: "unavailable",
}


def problem(
    status: int, code: str, title: str, detail: str, **extra: Any
) -> Response:
    """A problem+json response with Saheli's `code` member."""
    body: dict[str, Any] = {
        "type": f"urn:saheli:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    if status in (429, 503) and "retry_after" in extra:
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response


def from_domain(error: DomainError) -> Response:
    """Translate a domain error."""
    extra = dict(error.extra)
    if isinstance(error, RateLimited | Unavailable):
        extra["retry_after"] = error.retry_after
    return problem(error.status, error.code, error.title, error.detail, **extra)


def from_http(error: HTTPException) -> Response:
    """Translate a Werkzeug HTTP error (404 route, 405 method, 413 body, ...)."""
    status = error.code or 500
    code = _HTTP_CODES.get(status, "error")
    description = error.description or error.name
    if isinstance(error, CSRFError):
        status, code = 403, "forbidden"
        description = f"CSRF check failed: {error.description} Send the X-CSRF-Token header."
    response = problem(status, code, error.name, description)
    allowed = getattr(error, "valid_methods", None)  # werkzeug's MethodNotAllowed only
    if status == 405 and allowed:
        response.headers["Allow"] = ", ".join(allowed)
    if status == 429:
        response.headers["Retry-After"] = str(retry_after_seconds())
    return response


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def database_unreachable(error: BaseException) -> bool:
    """The database could not be reached or dropped the connection (not a bug of ours)."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | PoolTimeout)


#: What a request answers while the database cannot be reached (API.md: `unavailable`).
UNREACHABLE = Unavailable(
    "The forum cannot reach its database just now; nothing was written. Try again in a moment."
)


def init_app(app: Flask) -> None:
    """Register the translators for API paths (pages get their own in `forum.web`)."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Any:
        if is_api_request():
            return from_domain(error)
        handler = app.extensions.get("forum.page_errors")
        if handler is not None:
            return handler(error)
        return from_domain(error)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        if is_api_request() or request.path == "/healthz":
            return from_http(error)
        handler = app.extensions.get("forum.page_errors")
        if handler is not None:
            return handler(error)
        return error

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if database_unreachable(error):
            # One line per failed request, not a traceback: an outage is not a bug.
            log.warning("database unreachable on %s %s (%s)", request.method, request.path,
                        type(error.orig if isinstance(error, DBAPIError) else error).__name__)
            return _domain(UNREACHABLE)
        log.exception("unexpected error on %s %s", request.method, request.path)
        if is_api_request():
            return problem(500, "internal_error", "Internal error", "Something went wrong on our side.")
        handler = app.extensions.get("forum.page_errors")
        if handler is not None:
            return handler(error)
        return Response("Something went wrong on our side.", status=500, mimetype="text/plain")
