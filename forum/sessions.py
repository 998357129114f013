"""Who is asking: bearer tokens for API clients, revocable server-side sessions for browsers.

Flask's cookie session alone cannot be revoked, so the cookie only carries a random session
secret whose hash is an `AuthToken` row (Flask-Login's alternative-id pattern): deleting the
row signs that browser out, wherever it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, current_app, g, request
from flask import session as cookie
from flask_login import LoginManager, login_user, logout_user
from flask_login import current_user as _flask_login_user
from flask_wtf.csrf import CSRFProtect

from forum import db, net
from forum.models.user import User
from forum.policy import ANONYMOUS, Actor
from forum.services import accounts

login_manager = LoginManager()
csrf = CSRFProtect()


def settings() -> dict[str, Any]:
    """The FORUM_* settings of the running app."""
    return current_app.config["FORUM"]


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(settings()["FORUM_TOKEN_LIFETIME_DAYS"]))


def session_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(settings()["FORUM_SESSION_LIFETIME_DAYS"]))


@login_manager.user_loader
def _load_session_user(session_secret: str) -> User | None:
    found = accounts.resolve_token(db.session(), session_secret, "session")
    if found is None:
        return None
    user, token = found
    user._session_secret = session_secret  # type: ignore[attr-defined]
    g.auth_token_id = token.id
    return user


def bearer_secret() -> str | None:
    """The token of an `Authorization: Bearer` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def current_actor() -> Actor:
    """The actor of this request, resolved once: bearer token first, then the session cookie."""
    cached = g.get("actor")
    if cached is not None:
        return cached
    user: User | None = None
    g.auth_kind = None
    secret = bearer_secret()
    if secret is not None:
        found = accounts.resolve_token(db.session(), secret, "bearer")
        if found is not None:
            user, token = found
            g.auth_token_id = token.id
            g.auth_token_expires_at = token.expires_at
            g.auth_kind = "bearer"
    else:
        candidate = _flask_login_user._get_current_object()  # type: ignore[attr-defined]
        if isinstance(candidate, User):
            user = candidate
            g.auth_kind = "session"
    actor = (
        Actor.of(user, require_totp=bool(settings()["FORUM_STAFF_REQUIRE_TOTP"]))
        if user is not None
        else ANONYMOUS
    )
    g.actor = actor
    return actor


def start_browser_session(user: User, secret: str) -> None:
    """Sign a browser in with a server-side session; the cookie id is rotated."""
    user._session_secret = secret  # type: ignore[attr-defined]
    cookie.clear()
    login_user(user, remember=False, fresh=True)
    cookie.permanent = True


def end_browser_session() -> None:
    """Forget the browser's session cookie (the token row is deleted by the caller)."""
    logout_user()
    cookie.clear()


def init_app(app: Flask) -> None:
    """Set up Flask-Login and CSRF (CSRF is checked by hand, only for cookie-authenticated
    writes: bearer-token clients are not exposed to cross-site forgery)."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    login_manager.init_app(app)
    login_manager.session_protection = None
    login_manager.login_view = "web.login"
    csrf.init_app(app)


def request_network_fingerprint() -> str:
    """Keyed HMAC of the client's /24 or /48 network (the raw address is never kept)."""
    return net.network_fingerprint(request.remote_addr or "", settings()["FORUM_SECRET_KEY"])


def request_address_key() -> str:
    """Keyed HMAC of the client's address, for per-client rate limits."""
    return net.address_fingerprint(request.remote_addr or "", settings()["FORUM_SECRET_KEY"])
