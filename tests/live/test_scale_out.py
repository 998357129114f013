"""Scale-out: two real `forum serve` processes on ONE PostgreSQL database and ONE Redis.

What must hold across processes (API.md, Socket.IO section; DESIGN.md, "state that must be
shared between processes lives in the database or Redis"): presence lists the members of both
processes; the login limit counts attempts made through both; a moderation rule created
through one blocks content on the other at once; a support request made through one reaches a
counsellor connected to the other; a reply and a block made through one show at once in the
other's cached pages (the page cache's write generation is shared through Redis). A message,
a mute and a kick across processes are already proven by
`test_rooms_live.test_two_processes_share_one_room_through_redis` and are not repeated here.
Also checked: with `FORUM_REDIS_URL` set the Socket.IO async mode is `gevent` under
`forum serve`'s patching, and a Redis listen or publish failure is logged with its cause.

Each pair of servers gets its own Redis key prefix, Socket.IO channel and secret key (so the
network fingerprint the login limit counts on is fresh too); every wait has a timeout; under
CI=true a missing PostgreSQL or Redis fails instead of skipping.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests

from tests.conftest import new_database, service_unavailable
from tests.live.conftest import LiveServer, free_port, start_server
from tests.live.test_rooms_live import WAIT, Account, Client, make_accounts, open_room, wait_for

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.postgres]

REDIS_URL = os.environ.get("FORUM_TEST_SCALE_REDIS_URL", "redis://127.0.0.1:6379/14")
PASSWORD = "correct horse battery staple 42"


@dataclass
class Pair:
    """Two server processes sharing one database and one Redis."""

    first: LiveServer
    second: LiveServer
    database_url: str
    tmp: Path


def _redis_or_skip(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable("Redis", exc)
    finally:
        client.close()


def _forget(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def scale_env(redis_url: str, prefix: str) -> dict[str, str]:
    return {"FORUM_REDIS_URL": redis_url, "FORUM_STAFF_REQUIRE_TOTP": "false",
            "FORUM_ROOM_STATE_PREFIX": prefix, "FORUM_SOCKETIO_CHANNEL": prefix + "sio",
            "FORUM_RATE_LIMIT_PREFIX": prefix + "limits",
            "FORUM_SECRET_KEY": f"scale-{prefix}"}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """One PostgreSQL database, one Redis db, two processes (module-wide: starting them is
    the slow part; each test makes its own accounts and rooms)."""
    _redis_or_skip(REDIS_URL)
    tmp = tmp_path_factory.mktemp("scale")
    url = new_database("postgresql", str(tmp))
    prefix = f"saheli-scale:{uuid.uuid4().hex[:8]}:"
    env = scale_env(REDIS_URL, prefix)
    first = start_server(url, tmp, **env)
    try:
        second = start_server(url, tmp, seed=False, **env)
    except BaseException:
        first.stop()
        raise
    try:
        yield Pair(first, second, url, tmp)
    finally:
        first.stop()
        second.stop()
        _forget(REDIS_URL, prefix)


def people(pair: Pair, *roles: str) -> list[Account]:
    return make_accounts(pair.database_url, pair.tmp, list(roles))


def test_presence_lists_members_of_both_processes(pair, clients, http):
    host, near, far = people(pair, "counsellor", "member", "member")
    slug = open_room(pair.first.url, host, http)
    h, n, f = Client(host), Client(near), Client(far)
    clients.extend([h, n, f])
    h.connect(pair.first.url)
    f.connect(pair.second.url)
    n.connect(pair.first.url)
    assert h.call("join", {"room": slug})["ok"]
    assert f.call("join", {"room": slug})["ok"]
    joined = n.call("join", {"room": slug})
    everyone = sorted([host.id, near.id, far.id])
    assert joined["ok"] and sorted(m["id"] for m in joined["members"]) == everyone

    def latest(client: Client) -> list[int]:
        heard = [e for e in client.events("presence") if e["room"] == slug]
        return sorted(m["id"] for m in heard[-1]["members"]) if heard else []

    # The far member (second process) hears of the near one joining on the first, and back.
    wait_for(lambda: latest(f) == everyone, what="presence on the second process")
    wait_for(lambda: latest(h) == everyone, what="presence on the first process")
    assert f.call("leave", {"room": slug}) == {"ok": True}
    wait_for(lambda: latest(h) == sorted([host.id, near.id]), what="a leave on the other process")


def test_a_write_through_one_process_shows_at_once_in_the_others_cached_pages(pair, http):
    """The page cache is exact across processes: the second process has the thread and the
    board page in memory, a reply and a block go through the first, and the second's very
    next answers show them."""
    author, reader = people(pair, "member", "member")
    one, two = pair.first.url, pair.second.url
    created = http.post(f"{one}/api/v1/boards/introductions/threads", headers=author.headers,
                        json={"title": "Across processes", "body": "First words"}, timeout=WAIT)
    assert created.status_code == 201, created.text
    thread_id = created.json()["thread"]["id"]
    thread_url = f"{two}/api/v1/threads/{thread_id}"
    board_url = f"{two}/api/v1/boards/introductions/threads"
    for _ in range(2):  # the second answer comes from the cache
        assert len(http.get(thread_url, headers=reader.headers, timeout=WAIT).json()["posts"]) == 1
        titles = [t["title"] for t in
                  http.get(board_url, headers=reader.headers, timeout=WAIT).json()["threads"]]
        assert "Across processes" in titles
    replied = http.post(f"{one}/api/v1/threads/{thread_id}/posts", headers=author.headers,
                        json={"body": "A reply"}, timeout=WAIT)
    assert replied.status_code == 201, replied.text
    posts = http.get(thread_url, headers=reader.headers, timeout=WAIT).json()["posts"]
    assert [p["body_html"] for p in posts] == ["<p>First words</p>", "<p>A reply</p>"]
    blocked = http.post(f"{one}/api/v1/blocks", headers=reader.headers,
                        json={"user_id": author.id}, timeout=WAIT)
    assert blocked.status_code == 201, blocked.text
    titles = [t["title"] for t in
              http.get(board_url, headers=reader.headers, timeout=WAIT).json()["threads"]]
    assert "Across processes" not in titles
    assert http.get(thread_url, headers=reader.headers, timeout=WAIT).status_code == 404


def test_login_limit_counts_attempts_through_both_processes(pair, http):
    (member,) = people(pair, "member")
    servers = [pair.first, pair.second]
    for attempt in range(5):  # 5 per account per minute, in total
        answer = http.post(f"{servers[attempt % 2].url}/api/v1/auth/login", timeout=WAIT,
                           json={"handle": member.handle, "password": "not my password"})
        assert answer.status_code == 401, (attempt, answer.text)
    for server in servers:  # the 6th, through either process, is refused
        answer = http.post(f"{server.url}/api/v1/auth/login", timeout=WAIT,
                           json={"handle": member.handle, "password": PASSWORD})
        assert answer.status_code == 429, answer.text
        assert answer.json()["code"] == "rate_limited"
        assert int(answer.headers["Retry-After"]) >= 1


def test_a_rule_made_through_one_process_blocks_at_once_on_the_other(pair, clients, http):
    moderator, member, host = people(pair, "moderator", "member", "counsellor")
    word = f"zorvex{uuid.uuid4().hex[:6]}"
    threads = f"{pair.second.url}/api/v1/boards/introductions/threads"

    def post(title: str) -> requests.Response:
        return http.post(threads, headers=member.headers, timeout=WAIT,
                         # A neutral sentence: "I keep hearing ..." reads as possible crisis to
                         # the crisis model, whose help-line offer turns a block into a hold.
                         json={"title": title,
                               "body": f"The new moderation rule is about the word {word} here."})

    # The second process screens once first, so its compiled pipeline is cached and must
    # notice the new rule, not merely build for the first time.
    assert post("Before the rule").status_code == 201
    slug = open_room(pair.first.url, host, http)
    talker = Client(member)
    clients.append(talker)
    talker.connect(pair.second.url)
    assert talker.call("join", {"room": slug})["ok"]
    assert talker.call("message", {"room": slug, "body": f"what is {word}?"})["ok"]

    made = http.post(f"{pair.first.url}/api/v1/moderation/rules", headers=moderator.headers,
                     timeout=WAIT, json={"pattern": word, "kind": "word", "action": "block",
                                         "note": "scale-out test"})
    assert made.status_code == 201, made.text
    refused = post("After the rule")
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "content_blocked"
    said = talker.call("message", {"room": slug, "body": f"and now {word}?"})
    assert said["ok"] is False and said["error"]["code"] == "content_blocked"


def test_a_support_request_reaches_a_counsellor_on_the_other_process(pair, clients, http):
    counsellor, member = people(pair, "counsellor", "member")
    c, m = Client(counsellor), Client(member)
    clients.extend([c, m])
    c.connect(pair.second.url)
    m.connect(pair.first.url)
    asked = http.post(f"{pair.first.url}/api/v1/support-requests", headers=member.headers,
                      timeout=WAIT, json={"topic": "someone is threatening me"})
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request"]["id"]

    def heard() -> list[int]:
        return [e["request"]["id"] for e in c.events("support_request")]

    wait_for(lambda: request_id in heard(), what="support_request on the other process")
    accepted = http.post(f"{pair.second.url}/api/v1/support-requests/{request_id}/accept",
                         headers=counsellor.headers, timeout=WAIT)
    assert accepted.status_code == 200, accepted.text
    wait_for(lambda: m.events("support_accepted"), what="support_accepted back on the first")
    assert m.events("support_accepted")[0]["request"]["id"] == request_id


# --- the Socket.IO async mode and the Redis failure log -----------------------------------

_MODE_PROBE = """
from gevent import monkey
monkey.patch_all()
from forum import create_app
from forum.realtime import socketio
app = create_app()
print(socketio.server.eio.async_mode, type(socketio.server.manager).__name__)
"""


def test_with_redis_the_socketio_async_mode_is_gevent(pair):
    """`forum serve` patches first (forum.ops.cli), then builds the app: the same steps here,
    with the live pair's environment, must give gevent and the Redis queue."""
    probe = subprocess.run([sys.executable, "-c", _MODE_PROBE], env=pair.first.env,
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    # Saheli's RedisManager: a listener that reconnects within a second and asks for a re-sync.
    assert probe.stdout.split()[-2:] == ["gevent", "ResyncingRedisManager"]


class CuttableProxy:
    """A TCP proxy to Redis that the test can cut, so one server loses its Redis while the
    shared Redis (and everyone else's use of it) carries on."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.2)
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.open = True
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self) -> None:
        while self.open:
            try:
                inner, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            outer = socket.create_connection(self.target, timeout=5)
            outer.settimeout(None)
            inner.settimeout(None)
            with self.lock:
                if not self.open:
                    inner.close()
                    outer.close()
                    return
                self.sockets += [inner, outer]
            for src, dst in ((inner, outer), (outer, inner)):
                thread = threading.Thread(target=self._pump, args=(src, dst), daemon=True)
                thread.start()
                self.threads.append(thread)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        with self.lock:
            self.open = False
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self.threads:
            thread.join(timeout=WAIT)
        self.listener.close()
        for sock in sockets:
            sock.close()


def test_a_redis_failure_is_logged_with_its_cause(tmp_path, clients, http):
    _redis_or_skip(REDIS_URL)
    target = redis.connection.parse_url(REDIS_URL)
    proxy = CuttableProxy((target.get("host", "127.0.0.1"), int(target.get("port", 6379))))
    url = new_database("postgresql", str(tmp_path))
    prefix = f"saheli-scale:{uuid.uuid4().hex[:8]}:"
    db = target.get("db", 0)
    server = start_server(url, tmp_path,
                          **scale_env(f"redis://127.0.0.1:{proxy.port}/{db}", prefix))
    try:
        counsellor, member = make_accounts(url, tmp_path, ["counsellor", "member"])
        c = Client(counsellor)
        clients.append(c)
        c.connect(server.url)
        proxy.cut()
        # Listening fails as soon as the connection drops; publishing fails on the next emit
        # (a support request: the limiter falls back to memory, the emit goes to Redis).
        wait_for(lambda: "Cannot receive from redis" in server.log(), what="the listen failure")
        asked = http.post(f"{server.url}/api/v1/support-requests", headers=member.headers,
                          timeout=WAIT, json={"topic": "while Redis is down"})
        assert asked.status_code == 201, asked.text
        wait_for(lambda: "Cannot publish to redis" in server.log(), what="the publish failure")
        log = server.log()
        for what in ("Cannot receive from redis", "Cannot publish to redis"):
            lines = [line for line in log.splitlines() if what in line]
            assert any(re.search(r"(?i)error|refused|closed|reset|timeout", line.split(what)[1])
                       for line in lines), f"{what} logged without its cause:\n{lines}"
    finally:
        server.stop()
        if proxy.open:
            proxy.cut()
        _forget(REDIS_URL, prefix)


def test_a_revocation_through_one_process_takes_effect_at_once_in_the_other(pair, http):
    """The second process knows each reader's token from its page cache (who she is, her
    class, her own data) and serves her a members' board from memory; a role change, a
    suspension and a sign-out made through the first process take effect on the second's
    very next answer."""
    reader, other, admin = people(pair, "member", "member", "admin")
    one, two = pair.first.url, pair.second.url
    board = f"{two}/api/v1/boards/online-harassment/threads"

    def status(account):
        return http.get(board, headers=account.headers, timeout=WAIT).status_code

    def role(account):
        found = http.get(f"{two}/api/v1/threads/{thread_id}", headers=account.headers,
                         timeout=WAIT).json()["thread"]["author"]
        return found["role"]

    created = http.post(f"{one}/api/v1/boards/introductions/threads", headers=other.headers,
                        json={"title": "Revocations", "body": "Words"}, timeout=WAIT)
    assert created.status_code == 201, created.text
    thread_id = created.json()["thread"]["id"]
    for _ in range(2):  # the second answers come from the cache
        assert status(reader) == status(other) == 200
        assert role(reader) == "member"
    # A role change shows at once on the pages that name her.
    changed = http.patch(f"{one}/api/v1/users/{other.id}", headers=admin.headers,
                         json={"role": "counsellor"}, timeout=WAIT)
    assert changed.status_code == 200, changed.text
    assert role(reader) == "counsellor"
    # A suspension signs her out everywhere at once.
    suspended = http.post(f"{one}/api/v1/users/{other.id}/sanctions", headers=admin.headers,
                          json={"kind": "suspend", "duration_hours": 1, "reason": "pause"},
                          timeout=WAIT)
    assert suspended.status_code == 201, suspended.text
    assert status(other) == 401
    # Signing out through the first process.
    assert http.post(f"{one}/api/v1/auth/logout", headers=reader.headers,
                     timeout=WAIT).status_code == 204
    assert status(reader) == 401


def test_serve_with_workers_runs_that_many_processes_on_one_port(tmp_path, http):
    """`forum serve --workers 2`: two processes share the port (each its own gevent loop),
    requests are answered by both, and a write through either shows in the pages of both."""
    _redis_or_skip(REDIS_URL)
    url = new_database("postgresql", str(tmp_path))
    prefix = f"saheli-workers:{uuid.uuid4().hex[:8]}:"
    # Migrating, then starting two workers each with its own app: slower than one process.
    server = start_server(url, tmp_path, args=("--workers", "2"), wait=150,
                          **scale_env(REDIS_URL, prefix))
    try:
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        assert len(children.read_text().split()) == 2
        author, reader = make_accounts(url, tmp_path, ["member", "member"])
        created = http.post(f"{server.url}/api/v1/boards/introductions/threads",
                            headers=author.headers, json={"title": "Workers", "body": "One"},
                            timeout=WAIT)
        assert created.status_code == 201, created.text
        thread_url = f"{server.url}/api/v1/threads/{created.json()['thread']['id']}"
        for _ in range(8):  # new connections: the kernel spreads them over both workers
            assert len(requests.get(thread_url, headers=reader.headers,
                                    timeout=WAIT).json()["posts"]) == 1
        replied = http.post(f"{thread_url}/posts", headers=author.headers,
                            json={"body": "Two"}, timeout=WAIT)
        assert replied.status_code == 201, replied.text
        for _ in range(8):
            assert len(requests.get(thread_url, headers=reader.headers,
                                    timeout=WAIT).json()["posts"]) == 2
        assert server.log().count("Saheli serving on") == 2
    finally:
        server.stop()
        _forget(REDIS_URL, prefix)


def test_serve_with_workers_needs_redis(tmp_path):
    from tests.live.conftest import FORUM

    done = subprocess.run([FORUM, "serve", "--workers", "2"], capture_output=True, text=True,
                          env={**os.environ, "FORUM_DATABASE_URL": f"sqlite:///{tmp_path}/f.db",
                               "FORUM_INSTANCE_PATH": str(tmp_path)}, timeout=120)
    assert done.returncode != 0
    assert "FORUM_REDIS_URL" in done.stderr
