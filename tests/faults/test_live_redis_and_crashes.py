"""Two real `forum serve` processes on one PostgreSQL database and a private Redis (started,
stopped and restarted by the test; never the shared one), and one process killed outright.

- Redis down: the safety actions answer (suspend, ban, sign out everywhere else), the room
  endpoints and the `?after=` catch-up answer 200, new sockets connect, room messages are
  acknowledged and stored; a suspended member's socket on the *other* process is cut within
  a few seconds although the queue that would carry the disconnect is down (each process
  re-checks its sockets' tokens at every heartbeat).
- Redis back: within 3 s every process has subscribed again and told its sockets `resync`,
  and a client that then asks `?after=` its last id has every acknowledged message.
- A process killed with SIGKILL: its members leave presence and free room capacity within
  the heartbeat's lifetime (10 s) plus a beat.
"""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest
import requests

from tests.live.test_rooms_live import WAIT, Client, make_accounts, open_room, wait_for

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.postgres]


class Resyncing(Client):
    """A socket client that does what the room page does: on `resync` it fetches the
    messages after the last one it has, over HTTP."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.sio.on("resync", self._recorder("resync"), namespace="/rooms")

    def catch_up(self, base: str, slug: str, http: requests.Session) -> list[int]:
        seen = {m["id"] for m in self.events("message")}
        last = max(seen, default=0)
        while True:
            got = http.get(f"{base}/api/v1/rooms/{slug}/messages", params={"after": last},
                           headers=self.account.headers, timeout=WAIT)
            assert got.status_code == 200, got.text
            page = got.json()["messages"]
            if not page:
                return sorted(seen)
            seen.update(m["id"] for m in page)
            last = page[-1]["id"]


def _ids(client: Client) -> list[int]:
    return sorted(m["id"] for m in client.events("message"))


def test_with_redis_down_safety_holds_and_after_it_returns_nothing_is_missing(
        pair, tmp_path, redis_server, http):
    a, b, url = pair
    host, member, harasser, banned, her, mod = make_accounts(
        url, tmp_path, ["counsellor", "member", "member", "member", "member", "moderator"])
    slug = open_room(a.url, host, http)
    listener = Resyncing(host).connect(a.url)  # on process A
    speaker = Resyncing(member).connect(b.url)  # on process B
    cut = Client(harasser).connect(b.url)
    clients = [listener, speaker, cut]
    try:
        assert listener.call("join", {"room": slug})["ok"]
        assert speaker.call("join", {"room": slug})["ok"]
        first = speaker.call("message", {"room": slug, "body": "before the outage"})
        wait_for(lambda: first["message"]["id"] in _ids(listener), what="cross-process delivery")

        redis_server.stop()
        acked = []
        for n in range(5):
            ack = speaker.call("message", {"room": slug, "body": f"during the outage {n}"})
            assert ack["ok"] is True, ack
            acked.append(ack["message"]["id"])
        for base in (a.url, b.url):
            rooms = http.get(f"{base}/api/v1/rooms", headers=member.headers, timeout=WAIT)
            assert rooms.status_code == 200, rooms.text
            after = http.get(f"{base}/api/v1/rooms/{slug}/messages", params={"after": 0},
                             headers=member.headers, timeout=WAIT)
            assert after.status_code == 200, after.text
            assert set(acked) <= {m["id"] for m in after.json()["messages"]}
        late = Client(her).connect(a.url)
        clients.append(late)
        assert late.call("join", {"room": slug})["ok"]

        suspend = http.post(f"{a.url}/api/v1/users/{harasser.id}/sanctions", headers=mod.headers,
                            json={"kind": "suspend", "duration_hours": 24, "reason": "threats"},
                            timeout=WAIT)
        assert suspend.status_code == 201, suspend.text
        ban = http.post(f"{a.url}/api/v1/users/{banned.id}/sanctions", headers=mod.headers,
                        json={"kind": "ban", "reason": "sextortion"}, timeout=WAIT)
        assert ban.status_code == 201, ban.text
        everywhere = http.post(f"{b.url}/api/v1/me/sessions/revoke-others", headers=her.headers,
                               timeout=WAIT)
        assert everywhere.status_code == 200, everywhere.text
        # The suspended member's socket is on B, the suspension was made through A, and the
        # queue is down: B's heartbeat finds her token gone and cuts the socket.
        wait_for(lambda: not cut.sio.connected, timeout=6, what="the suspended socket cut")

        redis_server.start()
        back = time.monotonic()
        wait_for(lambda: listener.events("resync"), timeout=3, what="resync after Redis returned")
        assert time.monotonic() - back <= 3
        assert set(acked) | {first["message"]["id"]} <= set(listener.catch_up(a.url, slug, http))
        # And the queue carries messages again, across processes.
        again = speaker.call("message", {"room": slug, "body": "after the outage"})
        wait_for(lambda: again["message"]["id"] in _ids(listener), what="delivery after Redis")
        assert not any("Traceback" in s.log() for s in (a, b)), (a.log() + b.log())[-3000:]
    finally:
        for client in clients:
            client.close()


def test_a_killed_process_leaves_no_ghosts_in_presence(pair, tmp_path, http):
    a, b, url = pair
    host, member, other = make_accounts(url, tmp_path, ["counsellor", "member", "member"])
    created = http.post(f"{a.url}/api/v1/rooms", headers=host.headers, timeout=WAIT,
                        json={"title": "Small circle", "description": "Two seats.", "capacity": 2})
    slug = created.json()["room"]["slug"]
    assert http.post(f"{a.url}/api/v1/rooms/{slug}/open", headers=host.headers,
                     timeout=WAIT).status_code == 200
    watcher = Client(host).connect(a.url)
    doomed = Client(member).connect(b.url)
    clients: list[Any] = [watcher, doomed]
    try:
        assert watcher.call("join", {"room": slug})["ok"]
        assert doomed.call("join", {"room": slug})["ok"]

        def count() -> int:
            rooms = http.get(f"{a.url}/api/v1/rooms", timeout=WAIT).json()["rooms"]
            return next(r["participant_count"] for r in rooms if r["slug"] == slug)

        assert count() == 2
        b.process.send_signal(signal.SIGKILL)
        b.process.wait(timeout=WAIT)
        killed = time.monotonic()
        wait_for(lambda: count() == 1, timeout=15, what="the killed process's member swept")
        assert time.monotonic() - killed <= 15
        wait_for(lambda: [p["members"] for p in watcher.events("presence")
                          if [u["id"] for u in p["members"]] == [host.id]], timeout=5,
                 what="presence without the ghost")
        # Her seat is free again: a room of two takes someone new.
        newcomer = Client(other).connect(a.url)
        clients.append(newcomer)
        assert newcomer.call("join", {"room": slug})["ok"] is True
    finally:
        for client in clients:
            client.close()
