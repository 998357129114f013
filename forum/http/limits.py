"""Abuse limits with Flask-Limiter: per account, per network fingerprint, per member.

Keys are never raw addresses: the network key is the keyed HMAC of the /24 or /48, the account
key the handle's uniqueness key. Counters live in Redis when `FORUM_REDIS_URL` is set (shared by
every process) and in memory otherwise. With Redis, every count is also kept in the process's
memory (`MirroredRedisStorage`): if Redis stops answering, the limits keep holding per process
with the counts already made (not from zero), and when Redis comes back empty it learns them
again, so a Redis transition resets no limit; never failing open, never a 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from flask import Flask, g, request
from flask_limiter import Limiter
from limits.storage import MemoryStorage, RedisStorage, Storage

from forum.http.sessions import current_actor, request_network_fingerprint
from forum.identity import handles


def network_key() -> str:
    return "net:" + request_network_fingerprint()


def account_key() -> str:
    """The account a login or recovery is aimed at, read from the very body its view reads.

    API views parse their JSON body once (`forum.api.core.request_json`, kept in
    `g.request_body`, before the limits are checked); page forms are read as forms by their
    views and here alike. Reading the body a second way here let a JSON body sent with a form
    content type carry a crafted `handle` field for the limiter only (issue #12)."""
    body = g.get("request_body")
    handle = body.get("handle") if isinstance(body, dict) else request.form.get("handle")
    if not isinstance(handle, str) or not handle:
        return "account:-"
    try:
        return "account:" + handles.handle_key(handle[:64])
    except Exception:  # noqa: BLE001 - an odd handle gets a bucket of its own
        return "account:?"


def member_key() -> str:
    """The signed-in member (writes need one), or the network for anonymous callers."""
    actor = current_actor()
    return f"user:{actor.id}" if actor.id is not None else network_key()


KEYS: dict[str, Callable[[], str]] = {
    "network": network_key,
    "account": account_key,
    "member": member_key,
}

#: The limits of each use case, by the key they count on. Generous for a person, tight for a
#: script; documented in the README.
LIMITS: dict[str, tuple[tuple[str, str], ...]] = {
    "login": (("10 per minute; 50 per hour", "network"), ("5 per minute; 20 per hour", "account")),
    "recover": (("10 per hour", "network"), ("5 per hour", "account")),
    "register": (("5 per hour; 20 per day", "network"),),
    "post": (("10 per minute; 100 per hour", "member"),),
    "react": (("60 per minute", "member"),),
    "report": (("10 per minute; 50 per day", "member"),),
    "support_request": (("3 per 10 minutes", "member"),),
    "check": (("60 per minute", "member"),),
    "password": (("5 per minute; 20 per hour", "member"),),
}

limiter = Limiter(
    key_func=network_key,
    headers_enabled=True,
    in_memory_fallback_enabled=True,
    retry_after="delta-seconds",
)


def limited(use_case: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Apply the limits of `use_case` to a view."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        for value, key in reversed(LIMITS[use_case]):
            view = limiter.limit(value, key_func=KEYS[key], scope=f"{use_case}:{key}")(view)
        return view

    return decorate


def retry_after_seconds() -> int:
    """Seconds until the limit that was just breached lets the caller in again."""
    reset_at = getattr(limiter.current_limit, "reset_at", None)
    if reset_at:
        return max(1, int(reset_at - time.time()) + 1)
    return 60


log = logging.getLogger(__name__)

#: After Redis fails, count in memory alone for this long before asking Redis again.
RETRY_AFTER = 1.0


class MirroredRedisStorage(Storage):
    """Redis counters with this process's memory counting beside them (`saheli+redis://`).

    A count answered is the larger of the two: normally Redis's (every process's hits), the
    process's own while Redis is down or just came back empty; coming back, Redis is raised to
    what this process counted. So neither direction of a Redis transition resets a limit.
    """

    STORAGE_SCHEME = ["saheli+redis", "saheli+rediss"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        shared_uri = (uri or "saheli+redis://127.0.0.1:6379").split("+", 1)[1]
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        self.shared = RedisStorage(shared_uri, **options)
        self.local = MemoryStorage()
        self._down_until = 0.0
        self._down = False

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return redis.RedisError

    def _try(self, call: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        if time.monotonic() < self._down_until:
            return False, None
        try:
            answer = call(*args)
        except Exception as exc:  # noqa: BLE001 - any Redis failure: count in memory
            if not self._down:
                log.error("abuse limits: Redis unreachable, counting in this process (%s)",
                          type(exc).__name__)
            self._down = True
            self._down_until = time.monotonic() + RETRY_AFTER
            return False, None
        if self._down:
            log.warning("abuse limits: Redis answers again")
            self._down = False
        return True, answer

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        here = int(self.local.incr(key, expiry, amount))
        ok, there = self._try(self.shared.incr, key, expiry, amount)
        if not ok:
            return here
        if int(there) < here:  # Redis came back empty: it learns what this process counted
            ok, raised = self._try(self.shared.incr, key, expiry, here - int(there))
            there = raised if ok else there
        return max(here, int(there))

    def get(self, key: str) -> int:
        ok, there = self._try(self.shared.get, key)
        return max(int(self.local.get(key)), int(there) if ok else 0)

    def get_expiry(self, key: str) -> float:
        ok, there = self._try(self.shared.get_expiry, key)
        here = float(self.local.get_expiry(key))
        return max(here, float(there)) if ok else here

    def check(self) -> bool:
        return True  # the memory half always answers

    def reset(self) -> int | None:
        self.local.reset()
        ok, cleared = self._try(self.shared.reset)
        return cleared if ok else None

    def clear(self, key: str) -> None:
        self.local.clear(key)
        self._try(self.shared.clear, key)


def init_app(app: Flask) -> None:
    """Point the limiter at Redis (mirrored in memory) or memory; a fresh memory store per
    app (tests build many)."""
    redis_url = app.config["FORUM"].get("FORUM_REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          f"saheli+{redis_url}" if redis_url else "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["FORUM"]["FORUM_RATE_LIMIT_PREFIX"])
    app.config.setdefault("RATELIMIT_ENABLED", bool(app.config["FORUM"]["FORUM_RATE_LIMITS"]))
    limiter.init_app(app)
    if not redis_url and app.config["RATELIMIT_ENABLED"]:
        limiter.reset()
