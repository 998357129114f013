"""The composition root: wires configuration, database, sessions, blueprints and the screener.

Quiet by design: no network, no migrations, no prompts while building the app.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from forum import api, db, realtime, web
from forum import config as forum_config
from forum.api import errors as api_errors
from forum.http import delivery, health, i18n, limits, pagecache, sessions
from forum.identity import passwords
from forum.ops.commands import register_commands
from forum.ops.logs import install_address_redaction
from forum.screening import PassThroughScreener
from forum.services import accounts

ROOT = Path(__file__).resolve().parent.parent

#: Security headers of API.md, on every answer (pages and API alike).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class _DatabaseInt(IntegerConverter):
    """`<int:...>` in routes: a number past 2**63 - 1, the largest id PostgreSQL and SQLite
    store, reads as an id no row has (-1), so the route answers 404 as for any missing row,
    never an overflow inside the database driver. (Refusing it in the converter, with `max`,
    made Werkzeug answer 405 wherever another rule of the same path takes another method.)"""

    LARGEST = 2**63 - 1
    NO_SUCH_ID = -1

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= self.LARGEST else self.NO_SUCH_ID


class _SecureWhenHttps(SecureCookieSessionInterface):
    """Mark the session cookie `Secure` whenever the request arrived over HTTPS (directly or
    through a trusted proxy), so it works both on a laptop and behind TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def build_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application. `overrides` may hold FORUM_* settings and Flask settings."""
    overrides = dict(overrides or {})
    instance = overrides.pop("INSTANCE_PATH", None) or os.environ.get(
        "FORUM_INSTANCE_PATH", str(ROOT / "instance")
    )
    app = Flask(
        "forum",
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.url_map.converters["int"] = _DatabaseInt
    flask_overrides = {k: v for k, v in overrides.items() if not k.startswith("FORUM_")}
    forum_overrides = {k: v for k, v in overrides.items() if k.startswith("FORUM_")}
    settings = forum_config.load(app.instance_path, forum_overrides)
    app.config["FORUM"] = settings
    app.config.update(
        SECRET_KEY=settings["FORUM_SECRET_KEY"],
        MAX_CONTENT_LENGTH=int(settings["FORUM_MAX_CONTENT_LENGTH"]),
        MAX_FORM_MEMORY_SIZE=int(settings["FORUM_MAX_CONTENT_LENGTH"]),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="saheli_session",
        PERMANENT_SESSION_LIFETIME=86400 * int(settings["FORUM_SESSION_LIFETIME_DAYS"]),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
    )
    app.config.update(flask_overrides)
    provider = app.json
    assert isinstance(provider, DefaultJSONProvider)  # Flask's own, not replaced here
    provider.sort_keys = False
    provider.ensure_ascii = False
    app.session_interface = _SecureWhenHttps()
    if int(settings["FORUM_PROXY_COUNT"]) > 0:
        count = int(settings["FORUM_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]  # Flask's documented way to wrap its WSGI app

    app.before_request(_refuse_oversized_streams)
    install_address_redaction()
    passwords.configure(
        time_cost=int(settings["FORUM_ARGON2_TIME_COST"]),
        memory_cost=int(settings["FORUM_ARGON2_MEMORY_KIB"]),
    )
    accounts.configure(settings["FORUM_SECRET_KEY"])
    delivery.init_app(app)  # first: its after-request hook runs last, on the final body
    db.init_app(app)
    pagecache.init_app(app)
    sessions.init_app(app)
    limits.init_app(app)

    api_errors.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.extensions["forum.screener"] = PassThroughScreener()
    if overrides.get("FORUM_MODERATION", True) is not False:
        # Before the pages: moderation adds its own to the page blueprint.
        _install_moderation(app)
    web.init_app(app)
    i18n.init_app(app)
    realtime.init_app(app)
    register_commands(app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.path.startswith("/api/") or request.path == "/healthz":
            headers.setdefault("Cache-Control", "no-store")
        return response

    logging.getLogger("forum").setLevel(logging.INFO)
    return app


def _refuse_oversized_streams() -> None:
    """413 for a body sent without `Content-Length` (chunked) that reaches the limit.

    Werkzeug stops reading such a stream at `MAX_CONTENT_LENGTH` without an error, so a 1 MB
    chunked JSON body was read as 256 KB of broken JSON and answered 422. Read first (before
    the abuse limits and the views, which then see the cached body), refuse when full."""
    if request.content_length is not None or request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit or "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    if len(request.get_data(cache=True)) >= int(limit):
        raise RequestEntityTooLarge()


def _install_moderation(app: Flask) -> None:
    """Plug the moderation package in: its screener, API and pages (the core runs without)."""
    try:
        import moderation
    except ImportError:  # pragma: no cover - the package ships with the project
        return
    install = getattr(moderation, "install", None)
    if install is not None:
        install(app)
