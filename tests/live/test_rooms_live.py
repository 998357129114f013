"""Live support rooms against real `forum serve` processes, with real python-socketio clients
over websockets (and long-polling), on SQLite and PostgreSQL: a host and ten members talking,
the host removing a message, a reconnect that catches up through
`GET /rooms/{slug}/messages?after=ID` with nothing lost or doubled, and — with Redis — two
server processes sharing one room. Every wait has a timeout."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import socketio

from forum import create_app
from forum.models.user import Role
from forum.services import accounts
from tests.conftest import TEST_SETTINGS, new_database, service_unavailable
from tests.live.conftest import LiveServer, start_server

pytestmark = pytest.mark.live

NS = "/rooms"
WAIT = 10.0
REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def wait_for(predicate: Callable[[], bool], timeout: float = WAIT, what: str = "condition") -> None:
    """Poll until `predicate()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Account:
    id: int
    handle: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_accounts(database_url: str, tmp: Path, roles: list[str]) -> list[Account]:
    """Create accounts straight in the live server's database (registration over HTTP is
    rate-limited per network, and every test client shares 127.0.0.1)."""
    app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(tmp / "maker"),
                      "FORUM_DATABASE_URL": database_url})
    made = []
    try:
        with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
            for role in roles:
                handle = f"{role[:4]}_{uuid.uuid4().hex[:8]}"
                user = accounts.create_account(session, handle=handle,
                                               password="correct horse battery staple 42",
                                               role=Role(role))
                token, _row = accounts.issue_token(session, user, kind="bearer",
                                                   lifetime=dt.timedelta(hours=1))
                made.append((user, token))
            session.flush()
            result = [Account(user.id, user.handle, token) for user, token in made]
    finally:
        app.extensions["forum.db"].engine.dispose()
        state = app.extensions.get("forum.room_state")
        if hasattr(state, "close"):
            state.close()
    return result


@dataclass
class Client:
    """A python-socketio client that records every server event it hears."""

    account: Account
    sio: socketio.Client = field(default_factory=lambda: socketio.Client(reconnection=False))
    heard: list[tuple[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for name in ("message", "message_removed", "presence", "room_updated", "kicked",
                     "message_held", "crisis_alert", "support_request", "support_accepted",
                     "support_offered", "notification"):
            self.sio.on(name, self._recorder(name), namespace=NS)

    def _recorder(self, name: str) -> Callable[[Any], None]:
        def record(data: Any) -> None:
            with self.lock:
                self.heard.append((name, data))
        return record

    def connect(self, url: str, transports: list[str] | None = None) -> Client:
        self.sio.connect(url, namespaces=[NS], auth={"token": self.account.token},
                         transports=transports or ["websocket"], wait_timeout=WAIT)
        return self

    def call(self, event: str, data: Any) -> Any:
        return self.sio.call(event, data, namespace=NS, timeout=WAIT)

    def events(self, name: str) -> list[Any]:
        with self.lock:
            return [data for event, data in self.heard if event == name]

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
        self.sio.shutdown()


@pytest.fixture
def clients() -> Iterator[list[Client]]:
    opened: list[Client] = []
    yield opened
    for client in opened:
        client.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def rooms_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    url = new_database(request.param, str(tmp_path))
    server = start_server(url, tmp_path, FORUM_STAFF_REQUIRE_TOTP="false")
    yield server, url
    server.stop()


def open_room(base: str, host: Account, http: requests.Session) -> str:
    created = http.post(f"{base}/api/v1/rooms", headers=host.headers, timeout=WAIT,
                        json={"title": "Evening circle", "description": "Talk freely."})
    assert created.status_code == 201, created.text
    slug = created.json()["room"]["slug"]
    assert http.post(f"{base}/api/v1/rooms/{slug}/open", headers=host.headers,
                     timeout=WAIT).status_code == 200
    return slug


def test_a_host_and_ten_members_talk_and_the_host_removes_a_message(
    rooms_server, tmp_path, clients, http
):
    server, url = rooms_server
    host, *members = make_accounts(url, tmp_path, ["counsellor"] + ["member"] * 10)
    slug = open_room(server.url, host, http)
    everyone = [Client(a) for a in [host, *members]]
    clients.extend(everyone)
    for client in everyone:
        client.connect(server.url)
        assert client.sio.transport() == "websocket"
        assert client.call("join", {"room": slug})["ok"] is True
    listed = http.get(f"{server.url}/api/v1/rooms", timeout=WAIT).json()["rooms"]
    assert [r["participant_count"] for r in listed if r["slug"] == slug] == [11]

    sent = [everyone[0].call("message", {"room": slug, "body": "Welcome, all of you."})]
    threads = []
    acks: list[Any] = []

    def speak(client: Client) -> None:
        acks.append(client.call("message", {"room": slug,
                                            "body": f"Hello from {client.account.handle}"}))

    for client in everyone[1:]:
        thread = threading.Thread(target=speak, args=(client,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=WAIT)
    sent += acks
    assert all(a["ok"] and a["message"]["status"] == "published" for a in sent), sent
    ids = sorted(a["message"]["id"] for a in sent)
    assert len(ids) == 11
    for client in everyone:
        wait_for(lambda c=client: len(c.events("message")) >= 11, what="every message")
        heard = [m["id"] for m in client.events("message")]
        assert sorted(heard) == ids  # all of them, none twice

    doomed = ids[3]
    assert everyone[0].call("moderate", {"room": slug, "action": "remove_message",
                                         "target": doomed}) == {"ok": True}
    for client in everyone:
        wait_for(lambda c=client: c.events("message_removed"), what="message_removed")
        assert client.events("message_removed") == [{"room": slug, "id": doomed}]
    page = http.get(f"{server.url}/api/v1/rooms/{slug}/messages", headers=members[0].headers,
                    timeout=WAIT).json()["messages"]
    assert [m["id"] for m in page] == [i for i in ids if i != doomed]


def test_a_reconnect_catches_up_with_nothing_lost_or_doubled(rooms_server, tmp_path, clients, http):
    server, url = rooms_server
    host, ayesha, sana = make_accounts(url, tmp_path, ["counsellor", "member", "member"])
    slug = open_room(server.url, host, http)
    h, a, s = Client(host), Client(ayesha), Client(sana)
    clients.extend([h, a, s])
    h.connect(server.url)
    s.connect(server.url, transports=["polling"])  # long-polling serves too
    a.connect(server.url)
    for client in (h, a, s):
        assert client.call("join", {"room": slug})["ok"]
    for i in range(3):
        assert s.call("message", {"room": slug, "body": f"before {i}"})["ok"]
    wait_for(lambda: len(a.events("message")) == 3, what="the first three")
    seen = [m["id"] for m in a.events("message")]
    a.sio.disconnect()
    missed = [s.call("message", {"room": slug, "body": f"while away {i}"})["message"]["id"]
              for i in range(4)]
    wait_for(lambda: len(h.events("message")) == 7, what="the host hearing all seven")

    again = Client(ayesha)
    clients.append(again)
    again.connect(server.url)
    joined = again.call("join", {"room": slug})
    assert joined["ok"] and [m["id"] for m in joined["history"]] == seen + missed
    caught_up = http.get(f"{server.url}/api/v1/rooms/{slug}/messages?after={seen[-1]}",
                         headers=ayesha.headers, timeout=WAIT)
    assert caught_up.status_code == 200
    assert [m["id"] for m in caught_up.json()["messages"]] == missed
    assert seen + [m["id"] for m in caught_up.json()["messages"]] == sorted(set(seen + missed))
    after = s.call("message", {"room": slug, "body": "welcome back"})["message"]["id"]
    wait_for(lambda: again.events("message"), what="the next message live")
    assert [m["id"] for m in again.events("message")] == [after]


def test_anonymous_and_cross_origin_sockets_are_refused(rooms_server, tmp_path):
    server, url = rooms_server
    (member,) = make_accounts(url, tmp_path, ["member"])
    # Origins are tried over long-polling: websocket-client adds an `Origin` of its own.
    attempts: list[dict[str, Any]] = [
        {"transports": ["websocket"]},  # no credentials at all
        {"transports": ["polling"], "auth": {"token": member.token},
         "headers": {"Origin": "https://evil.example"}},
    ]
    for extra in attempts:
        stranger = socketio.Client(reconnection=False)
        try:
            with pytest.raises(socketio.exceptions.ConnectionError):
                stranger.connect(server.url, namespaces=[NS], wait_timeout=WAIT, **extra)
        finally:
            stranger.shutdown()
    same_origin = socketio.Client(reconnection=False)
    try:
        same_origin.connect(server.url, namespaces=[NS], transports=["polling"],
                            wait_timeout=WAIT, auth={"token": member.token},
                            headers={"Origin": server.url})
        assert same_origin.connected
        same_origin.disconnect()
    finally:
        same_origin.shutdown()


@pytest.fixture
def redis_url() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        service_unavailable("Redis", exc)
    yield REDIS_URL
    client.close()


def test_two_processes_share_one_room_through_redis(tmp_path, redis_url, clients, http):
    url = new_database("postgresql", str(tmp_path))
    prefix = f"saheli-live:{uuid.uuid4().hex[:8]}:"
    env = {"FORUM_REDIS_URL": redis_url, "FORUM_STAFF_REQUIRE_TOTP": "false",
           "FORUM_ROOM_STATE_PREFIX": prefix, "FORUM_SOCKETIO_CHANNEL": prefix + "sio"}
    first = start_server(url, tmp_path, **env)
    second = start_server(url, tmp_path, seed=False, **env)
    try:
        host, near, far = make_accounts(url, tmp_path, ["counsellor", "member", "member"])
        slug = open_room(first.url, host, http)
        h, n, f = Client(host), Client(near), Client(far)
        clients.extend([h, n, f])
        h.connect(first.url)
        n.connect(first.url)
        f.connect(second.url)
        for client in (h, n, f):
            joined = client.call("join", {"room": slug})
            assert joined["ok"], joined
        rooms = http.get(f"{second.url}/api/v1/rooms", timeout=WAIT).json()["rooms"]
        assert [r["participant_count"] for r in rooms if r["slug"] == slug] == [3]
        said = n.call("message", {"room": slug, "body": "can the other process hear me?"})
        wait_for(lambda: f.events("message"), what="a message across processes")
        assert f.events("message")[0]["id"] == said["message"]["id"]
        assert h.call("moderate", {"room": slug, "action": "mute", "target": far.id}) == {"ok": True}
        assert f.call("message", {"room": slug, "body": "hello?"})["error"]["code"] == "muted"
        assert h.call("moderate", {"room": slug, "action": "kick", "target": far.id}) == {"ok": True}
        wait_for(lambda: f.events("kicked"), what="kicked across processes")
        assert f.call("message", {"room": slug, "body": "still here?"})["error"]["code"] == "not_in_room"
        assert f.call("join", {"room": slug})["error"]["code"] == "forbidden"
    finally:
        first.stop()
        second.stop()
        shared = redis.Redis.from_url(redis_url)
        keys = list(shared.scan_iter(match=prefix + "*", count=1000))
        if keys:
            shared.delete(*keys)
        shared.close()
