"""Who is asking: bearer tokens for API clients, revocable server-side sessions for browsers.

Flask's cookie session alone cannot be revoked, so the cookie only carries a random session
secret whose hash is an `AuthToken` row (Flask-Login's alternative-id pattern): deleting the
row signs that browser out, wherever it is.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app, g, request
from flask import session as cookie
from flask_login import LoginManager, login_user, logout_user
from flask_login import current_user as _flask_login_user
from flask_wtf.csrf import CSRFProtect

from forum import db
from forum.identity import net
from forum.models.user import AuthToken, User
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
    user._session_secret = session_secret  # type: ignore[attr-defined]  # a per-request attribute, not a column
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
        candidate = _flask_login_user._get_current_object()  # type: ignore[attr-defined]  # LocalProxy's typing hides it
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
    user._session_secret = secret  # type: ignore[attr-defined]  # a per-request attribute, not a column
    cookie.clear()
    login_user(user, remember=False, fresh=True)
    # Flask-Login writes `_id`, an unsalted SHA-512 of the address and User-Agent, into the
    # readable cookie; with session protection off nothing reads it, and the server-side
    # session row already gives revocation, so it is not sent at all (issue #12).
    cookie.pop("_id", None)
    cookie.permanent = True


def _codes_key(session_secret: str) -> bytes:
    return hashlib.sha256(b"saheli:pending-codes:" + session_secret.encode()).digest()


def _seal(session_secret: str, data: bytes) -> str:
    """Encrypt and authenticate `data` for one browser session (AES-GCM): the key derives from
    the session secret, which only the browser holds (the database keeps its SHA-256 alone)."""
    nonce = os.urandom(12)
    sealed = AESGCM(_codes_key(session_secret)).encrypt(nonce, data, None)
    return base64.b64encode(nonce + sealed).decode()


def _open(session_secret: str, sealed: str) -> bytes | None:
    raw = base64.b64decode(sealed)
    try:
        return AESGCM(_codes_key(session_secret)).decrypt(raw[:12], raw[12:], None)
    except InvalidTag:
        return None


def keep_new_codes(token_id: int, session_secret: str, codes: list[str] | tuple[str, ...]) -> None:
    """Keep fresh recovery codes for this browser session until she says she saved them.

    Server-side, on the session's own row and sealed with its secret: never in the cookie,
    which Flask signs but does not encrypt (issue #12)."""
    row = db.session().get(AuthToken, token_id)
    if row is not None:
        row.pending_codes = _seal(session_secret, json.dumps(list(codes)).encode())


def new_codes_of_this_session() -> list[str] | None:
    """The recovery codes waiting to be shown to this browser session, if any."""
    token_id = g.get("auth_token_id")
    user = _flask_login_user._get_current_object()  # type: ignore[attr-defined]  # LocalProxy's typing hides it
    secret = getattr(user, "_session_secret", None)
    if token_id is None or not secret:
        return None
    row = db.session().get(AuthToken, token_id)
    if row is None or not row.pending_codes:
        return None
    opened = _open(secret, row.pending_codes)
    return json.loads(opened) if opened is not None else None


def forget_new_codes() -> None:
    """She saved them: the sealed copy is deleted."""
    token_id = g.get("auth_token_id")
    row = db.session().get(AuthToken, token_id) if token_id is not None else None
    if row is not None:
        row.pending_codes = None


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


def account_by_credentials(handle: str, password: str, totp: str | None = None) -> User:
    """The member these credentials prove, whatever her standing (for doors a sanctioned
    member still needs, such as an appeal); 401 as a wrong sign-in otherwise."""
    return accounts.authenticate(
        db.session(), handle=handle, password=password, totp=totp, check_totp=True
    )


def request_network_fingerprint() -> str:
    """Keyed HMAC of the client's /24 or /48 network (the raw address is never kept)."""
    return net.network_fingerprint(request.remote_addr or "", settings()["FORUM_SECRET_KEY"])


def request_address_key() -> str:
    """Keyed HMAC of the client's address, for per-client rate limits."""
    return net.address_fingerprint(request.remote_addr or "", settings()["FORUM_SECRET_KEY"])
