"""Configuration: defaults, then `FORUM_*` from the environment, then a mapping (tests).

Secrets and the SQLite file live in the instance folder so that they persist between runs and
never end up in the repository.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

#: Every variable API.md documents, with its default; values are parsed by `_parse`.
ENVIRONMENT = {
    "FORUM_DATABASE_URL": None,
    "FORUM_REDIS_URL": None,
    "FORUM_SECRET_KEY": None,
    "FORUM_PROXY_COUNT": "0",
    "FORUM_AUTO_HIDE_REPORTS": "3",
    "FORUM_STAFF_REQUIRE_TOTP": "true",
    "FORUM_RATE_LIMITS": "true",
    "FORUM_ROOM_RETENTION_DAYS": "30",
    "FORUM_QUICK_EXIT_URL": "https://www.google.com/search?q=weather",
    # The time zone of the pages' times (the members are in Pakistan, UTC+5).
    "FORUM_TIME_ZONE": "Asia/Karachi",
    "FORUM_MAX_CONTENT_LENGTH": str(256 * 1024),
    "FORUM_TOKEN_LIFETIME_DAYS": "30",
    "FORUM_SESSION_LIFETIME_DAYS": "14",
    "FORUM_NEW_ACCOUNT_LINK_HOURS": "24",
    "FORUM_DB_POOL_SIZE": "20",
    "FORUM_DB_MAX_OVERFLOW": "0",
    "FORUM_DB_POOL_TIMEOUT": "10",
    "FORUM_ARGON2_TIME_COST": "3",
    "FORUM_ARGON2_MEMORY_KIB": str(64 * 1024),
    "FORUM_ROOM_STATE_PREFIX": "saheli:rooms:",
    "FORUM_SOCKETIO_CHANNEL": "saheli-socketio",
    "FORUM_RATE_LIMIT_PREFIX": "saheli",
    "FORUM_PAGE_CACHE_SECONDS": "60",
    "FORUM_READ_CONCURRENCY": "1",
    "FORUM_REGEX_BUDGET_MS": "50",
    # Shield mode's offer (issue #17): this many strangers replying to her within the window.
    "FORUM_SHIELD_OFFER_REPLIERS": "5",
    "FORUM_SHIELD_OFFER_MINUTES": "60",
}

_INTEGERS = {
    "FORUM_PROXY_COUNT",
    "FORUM_AUTO_HIDE_REPORTS",
    "FORUM_ROOM_RETENTION_DAYS",
    "FORUM_MAX_CONTENT_LENGTH",
    "FORUM_TOKEN_LIFETIME_DAYS",
    "FORUM_SESSION_LIFETIME_DAYS",
    "FORUM_NEW_ACCOUNT_LINK_HOURS",
    "FORUM_DB_POOL_SIZE",
    "FORUM_DB_MAX_OVERFLOW",
    "FORUM_DB_POOL_TIMEOUT",
    "FORUM_ARGON2_TIME_COST",
    "FORUM_ARGON2_MEMORY_KIB",
    "FORUM_PAGE_CACHE_SECONDS",
    "FORUM_READ_CONCURRENCY",
    "FORUM_REGEX_BUDGET_MS",
    "FORUM_SHIELD_OFFER_REPLIERS",
    "FORUM_SHIELD_OFFER_MINUTES",
}
_BOOLEANS = {"FORUM_STAFF_REQUIRE_TOTP", "FORUM_RATE_LIMITS"}


class ConfigError(ValueError):
    """A configuration value that cannot be used; raised at start, never mid-request."""


def _parse(name: str, raw: str | None) -> Any:
    if raw is None:
        return None
    if name in _INTEGERS:
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    if name in _BOOLEANS:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name} must be true or false, not {raw!r}")
    return raw


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults < environment < `overrides`."""
    settings: dict[str, Any] = {}
    for name, default in ENVIRONMENT.items():
        settings[name] = _parse(name, os.environ.get(name, default))
    for name, value in (overrides or {}).items():
        settings[name] = value
    instance = Path(instance_path)
    if not settings.get("FORUM_DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        settings["FORUM_DATABASE_URL"] = f"sqlite:///{instance / 'saheli.sqlite3'}"
    if not settings.get("FORUM_SECRET_KEY"):
        settings["FORUM_SECRET_KEY"] = _instance_secret(instance)
    return settings


def _instance_secret(instance: Path) -> str:
    """Generate the secret key once and keep it in the instance folder (mode 0600)."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
