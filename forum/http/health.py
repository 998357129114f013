"""`GET /healthz` for load balancers and monitoring: 200 when the database answers (with
`"degraded": ["redis"]` when a configured Redis does not: reading and posting still work);
503 naming what is down when the database does not."""

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
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        current_app.logger.warning("health check: database down (%s)", type(exc).__name__)
        checks["database"] = "down"
    redis_state = _redis_ok()
    if redis_state is not None:
        checks["redis"] = "ok" if redis_state else "down"
    if checks["database"] != "ok":
        # Nothing works without the database: a load balancer must take this process out.
        down = sorted(name for name, state in checks.items() if state != "ok")
        return {"status": "down", "checks": checks, "down": down}, 503
    body: dict[str, Any] = {"status": "ok", "checks": checks}
    if checks.get("redis") == "down":
        # Reading and posting still work (API.md): say so without taking the forum out.
        body["degraded"] = ["redis"]
    return body, 200
