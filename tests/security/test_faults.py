"""Faults a member would otherwise feel: Redis stopping under a live server, and PostgreSQL
dropping the server's connections.

What Saheli chose, piece by piece, while Redis is down (DESIGN.md, "Failure and security notes"):

* **posting** — embedded fallback: the database is the record, so threads and replies are still
  accepted (201); Redis holds no part of a post.
* **`/healthz`** — 200 with `"degraded": ["redis"]` (API.md: reading and posting still work, so
  a load balancer keeps the process; the operator sees what is down), and no `degraded` again
  as soon as Redis answers.
* **abuse limits** — embedded fallback: Flask-Limiter's `in_memory_fallback_enabled`, so each
  process keeps counting in memory instead of failing open (`swallow_errors`) or answering 500;
  the login limit still answers 429 after 5 wrong attempts.
* **room messages** — embedded fallback: room state answers from the process's own memory
  (`ResilientRoomState`), mutes and kicks are rows, and membership is the process's own
  Socket.IO channels, so a `message` event is acknowledged and stored; the fan-out to other
  processes resumes, with a `resync`, when Redis is back (tests/faults/).

Redis here is a private `redis-server` on a free port, started and stopped by the test (never the
shared one). The live server runs on SQLite: the fault is Redis's, and the database backend does
not change what the server does without Redis (the PostgreSQL fault has its own test below).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_ADMIN_URL, TEST_SETTINGS, new_database, service_unavailable
from tests.live.conftest import free_port, start_server
from tests.live.test_rooms_live import Client, make_accounts, wait_for

pytestmark = pytest.mark.live
WAIT = 10.0


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that can be stopped and restarted."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_unavailable("redis-server", "not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            wait_for(lambda: self._pings(client), what="private redis-server")
        finally:
            client.close()

    @staticmethod
    def _pings(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def post_thread(base: str, account: Any, http: requests.Session, title: str) -> requests.Response:
    return http.post(f"{base}/api/v1/boards/introductions/threads", headers=account.headers,
                     json={"title": title, "body": "Still here, still writing."}, timeout=WAIT)


def test_redis_stopping_mid_run_loses_nothing(private_redis, tmp_path, http):
    url = new_database("sqlite", str(tmp_path))
    host, member, other = make_accounts(url, tmp_path, ["counsellor", "member", "member"])
    server = start_server(url, tmp_path, FORUM_REDIS_URL=private_redis.url,
                          FORUM_STAFF_REQUIRE_TOTP="false")
    client = Client(member)
    try:
        base = server.url
        # Before: everything answers, through Redis.
        assert post_thread(base, member, http, "Before the fault").status_code == 201
        created = http.post(f"{base}/api/v1/rooms", headers=host.headers, timeout=WAIT,
                            json={"title": "Evening circle", "description": "Talk freely."})
        slug = created.json()["room"]["slug"]
        assert http.post(f"{base}/api/v1/rooms/{slug}/open", headers=host.headers,
                         timeout=WAIT).status_code == 200
        client.connect(base)
        assert client.call("join", {"room": slug})["ok"] is True
        assert client.call("message", {"room": slug, "body": "before the fault"})["ok"] is True

        private_redis.stop()

        # Posting still works: the database is the record.
        during = post_thread(base, member, http, "During the fault")
        assert during.status_code == 201, during.text
        reply = http.post(f"{base}/api/v1/threads/{during.json()['thread']['id']}/posts",
                          headers=member.headers, json={"body": "a reply"}, timeout=WAIT)
        assert reply.status_code == 201, reply.text

        # Health names what is degraded, and keeps the working forum in.
        health = http.get(f"{base}/healthz", timeout=WAIT)
        assert health.status_code == 200
        assert health.json()["degraded"] == ["redis"]
        assert health.json()["checks"] == {"database": "ok", "redis": "down"}

        # Limits hold per process (in-memory fallback), neither failing open nor 500.
        wrong = {"handle": other.handle, "password": "not the password at all"}
        statuses = [http.post(f"{base}/api/v1/auth/login", json=wrong, timeout=WAIT).status_code
                    for _ in range(6)]
        assert statuses == [401] * 5 + [429], statuses

        # A room message acknowledged while Redis is down is stored.
        ack = client.call("message", {"room": slug, "body": "during the fault"})
        history = http.get(f"{base}/api/v1/rooms/{slug}/messages", headers=host.headers,
                           timeout=WAIT)
        assert history.status_code == 200, history.text
        bodies = [m["body_html"] for m in history.json()["messages"]]
        assert any("before the fault" in b for b in bodies)
        assert ack["ok"] is True, ack
        assert ack["message"]["id"] in {m["id"] for m in history.json()["messages"]}
        assert any("during the fault" in b for b in bodies)
        assert server.process.poll() is None, server.log()

        # Redis back: health is green again.
        private_redis.start()
        wait_for(lambda: "degraded" not in http.get(f"{base}/healthz", timeout=WAIT).json(),
                 what="/healthz no longer degraded after Redis restarted")
        assert post_thread(base, member, http, "After the fault").status_code == 201
    finally:
        client.close()
        server.stop()


# --- PostgreSQL connections dropped ---------------------------------------------------------


def terminate_backends(database_url: str) -> int:
    """`pg_terminate_backend` every connection to the test's own database; returns how many."""
    name = database_url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            killed = len(conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name}).all())
            # pg_terminate_backend only signals: wait until the backends have exited, as
            # they have by the time a failover or restart is over.
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline and conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :n "
                    "AND pid <> pg_backend_pid()"), {"n": name}).scalar():
                time.sleep(0.02)
            return killed
    finally:
        admin.dispose()


@pytest.fixture
def postgres_url(tmp_path: Path) -> str:
    return new_database("postgresql", str(tmp_path))


def test_live_server_survives_dropped_postgres_connections(postgres_url, tmp_path, http):
    """The pool's checkout check replaces connections PostgreSQL dropped (a failover, a restart, an
    idle timeout): the member's next request works instead of answering 500."""
    (member,) = make_accounts(postgres_url, tmp_path, ["member"])
    server = start_server(postgres_url, tmp_path)
    try:
        base = server.url
        for _ in range(3):  # warm the pool
            assert http.get(f"{base}/api/v1/boards", timeout=WAIT).status_code == 200
        assert terminate_backends(postgres_url) >= 1
        assert http.get(f"{base}/api/v1/boards", timeout=WAIT).status_code == 200
        assert post_thread(base, member, http, "After the drop").status_code == 201
        assert http.get(f"{base}/healthz", timeout=WAIT).status_code == 200
    finally:
        server.stop()


def test_app_survives_dropped_postgres_connections(postgres_url, tmp_path):
    """The same through the Flask test client, on the app's real engine (no test transaction)."""
    from forum import create_app

    app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(tmp_path / "app"),
                      "FORUM_DATABASE_URL": postgres_url})
    try:
        client = app.test_client()
        assert client.get("/api/v1/boards").status_code == 200
        assert terminate_backends(postgres_url) >= 1
        time.sleep(0.1)
        assert client.get("/api/v1/boards").status_code == 200
        assert client.get("/healthz").status_code == 200
    finally:
        app.extensions["forum.db"].engine.dispose()


def test_hung_up_check_tells_a_live_connection_from_a_terminated_one(postgres_url):
    """The checkout check costs no round trip: it peeks at the socket, so it must not mistake
    an idle live connection for a dead one, nor the reverse."""
    from forum.db import make_engine, server_hung_up

    engine = make_engine(postgres_url)
    try:
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            driver.execute("SELECT 1")
            driver.rollback()
            assert server_hung_up(driver) is False
            assert server_hung_up(driver) is False  # peeking consumed nothing
            assert terminate_backends(postgres_url) >= 1
            assert server_hung_up(driver) is True
        finally:
            raw.invalidate()
    finally:
        engine.dispose()
