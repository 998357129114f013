"""Abuse limits survive a Redis transition: counts made before Redis went away still count
while it is down, and Redis coming back empty does not start them again from zero (a live
`forum serve` with a private Redis, stopped and started by the test)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import new_database
from tests.live.conftest import start_server
from tests.live.test_rooms_live import WAIT, make_accounts, wait_for
from tests.security.test_faults import PrivateRedis

pytestmark = [pytest.mark.live, pytest.mark.redis]


def test_the_login_limit_holds_across_redis_going_and_coming_back(tmp_path: Path) -> None:
    redis_server = PrivateRedis(tmp_path)
    redis_server.start()
    url = new_database("sqlite", str(tmp_path))
    server = start_server(url, tmp_path, FORUM_REDIS_URL=redis_server.url,
                          FORUM_ROOM_STATE_PREFIX=f"limits-{uuid.uuid4().hex[:8]}:")
    try:
        (target,) = make_accounts(url, tmp_path, ["member"])
        login = f"{server.url}/api/v1/auth/login"
        wrong = {"handle": target.handle, "password": "not the password at all"}

        def attempt() -> int:
            return requests.post(login, json=wrong, timeout=WAIT).status_code

        assert [attempt() for _ in range(3)] == [401] * 3  # counted in Redis (and memory)
        redis_server.stop()
        wait_for(lambda: requests.get(f"{server.url}/healthz", timeout=WAIT).json()
                 .get("degraded") == ["redis"], what="Redis seen down")
        # Two more are allowed (5 a minute per account), the sixth is refused: the three
        # made before the outage still count.
        assert [attempt() for _ in range(3)] == [401, 401, 429]
        redis_server.start()  # empty: it kept nothing
        wait_for(lambda: "degraded" not in requests.get(f"{server.url}/healthz",
                                                        timeout=WAIT).json(),
                 what="Redis seen again")
        refused = requests.post(login, json=wrong, timeout=WAIT)
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "rate_limited" and "Retry-After" in refused.headers
    finally:
        server.stop()
        redis_server.stop()
