"""`GET /healthz`: 200 when the database (and Redis, when configured) answer; 503 naming
what is down, for load balancers and monitoring."""

from __future__ import annotations

from typing import Any

import redis
from flask import Blueprint, current_app
from sqlalchemy import text

from forum import db

bp = Blueprint("health", __name__)


def _redis_ok() -> bool | None:
    url = current_app.config["FORUM"].get("FORUM_REDIS_URL")
    if not url:
        return None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except redis.RedisError:
        return False


@bp.get("/healthz")
def healthz() -> Any:
    checks: dict[str, str] = {}
    try:
        with db.database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "down"; the cause goes to the log
        current_app.logger.exception("health check: database down")
        checks["database"] = "down"
    redis_state = _redis_ok()
    if redis_state is not None:
        checks["redis"] = "ok" if redis_state else "down"
    down = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "down" if down else "ok", "checks": checks}
    if down:
        body["down"] = down
        return body, 503
    return body, 200
