"""The fault-injection suite (issue #15): every test here is marked `faults`, so
`make test-faults` runs the suite alone and `make test` runs it with everything else.

Two ways to break Redis, never the shared one on 6379:

- in process, `redis_room_state` installs a `ResilientRoomState` under a fresh key prefix of
  the test Redis and `wipe()` deletes every key of that prefix: to the app, exactly what a
  Redis restart without persistence looks like (everything it held is gone);
  `unreachable_room_state` points the state at a closed port;
- live, `PrivateRedis` (tests/security/test_faults.py) is a redis-server of the test's own,
  stopped and started again under real `forum serve` processes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from forum.realtime.state import RedisRoomState, ResilientRoomState
from tests.conftest import new_database, service_unavailable

# The rooms suite's fixtures: Socket.IO test clients, rooms made through the API, the
# scripted screener, presence sent on every change.
from tests.forum.rooms.conftest import (  # noqa: F401
    app_settings,
    in_db,
    make_room,
    screener,
    sockets,
)
from tests.live.conftest import LiveServer, free_port, start_server
from tests.security.test_faults import PrivateRedis

REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)


class Installed:
    """A room state installed on the test's app, and how to break it."""

    def __init__(self, app: Any, state: ResilientRoomState, prefix: str) -> None:
        self.app = app
        self.state = state
        self.prefix = prefix

    def wipe(self) -> None:
        """What a Redis restart does to the app: every key it kept is gone."""
        keys = list(self.state.redis.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            self.state.redis.delete(*keys)


@pytest.fixture
def redis_room_state(app: Any) -> Iterator[Installed]:
    prefix = f"saheli-faults:{uuid.uuid4().hex[:10]}:"
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        service_unavailable("Redis", exc)
    state = ResilientRoomState(RedisRoomState(client, prefix))
    app.extensions["forum.room_state"] = state
    installed = Installed(app, state, prefix)
    yield installed
    installed.wipe()
    client.close()


@pytest.fixture
def unreachable_room_state(app: Any) -> Iterator[ResilientRoomState]:
    """A room state whose Redis is a closed port: every call to it fails at once."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    state = ResilientRoomState.from_url(url, prefix="saheli-faults-down:")
    app.extensions["forum.room_state"] = state
    yield state
    state.close()



# --- two live processes on PostgreSQL and a private Redis ---------------------------------


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pair(tmp_path: Path, redis_server: PrivateRedis) -> Iterator[tuple[LiveServer, LiveServer, str]]:
    url = new_database("postgresql", str(tmp_path))
    env = {
        "FORUM_REDIS_URL": redis_server.url,
        "FORUM_ROOM_STATE_PREFIX": f"faults-{uuid.uuid4().hex[:8]}:",
        "FORUM_SOCKETIO_CHANNEL": f"faults-{uuid.uuid4().hex[:8]}",
        "FORUM_STAFF_REQUIRE_TOTP": "false",
        "FORUM_ROOM_PRESENCE_INTERVAL": "0",
    }
    first = start_server(url, tmp_path, **env)
    second = start_server(url, tmp_path, seed=False, **env)
    yield first, second, url
    for server in (first, second):
        server.stop()
