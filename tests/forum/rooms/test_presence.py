"""`presence` coalescing: a room filling up must not send the whole member list to everyone
on every join (O(n²) events), yet the last `presence` a member hears lists everyone there.

The first change in a quiet room is sent at once; changes within the window are folded into
one trailing send whose list is read when it goes out (`PresenceCoalescer`)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from forum.realtime.presence import PresenceCoalescer
from tests.forum.rooms.conftest import NS, ask, events

WINDOW = 0.4


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"FORUM_ROOM_PRESENCE_INTERVAL": WINDOW}


@pytest.fixture(autouse=True)
def _let_trailing_sends_finish() -> Any:
    """Every test app shares the one Socket.IO server, and room ids repeat between tests: a
    trailing send still scheduled when a test ends (its sockets disconnect) would reach the
    next test's room of the same id. Let it go out first."""
    yield
    time.sleep(WINDOW * 1.5)


def ids(presence: dict[str, Any]) -> list[int]:
    return [m["id"] for m in presence["members"]]


def wait_for_presence(sc: Any, want: list[int], seconds: float = 3.0) -> list[dict[str, Any]]:
    """Every `presence` heard until one lists exactly `want` (bounded)."""
    heard: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        heard.extend(events(sc, "presence"))
        if heard and ids(heard[-1]) == want:
            return heard
        time.sleep(0.05)
    raise AssertionError(f"no presence listing {want}; heard {[ids(p) for p in heard]}")


def test_a_join_in_a_quiet_room_is_announced_at_once(sockets, make_user, make_room):
    host = make_user("counsellor")
    slug = make_room(host)
    h = sockets.connect(host)
    assert ask(h, "join", {"room": slug})["ok"]
    assert [ids(p) for p in events(h, "presence")] == [[host.id]]


def test_a_burst_of_joins_sends_one_trailing_list_of_everyone(sockets, make_user, make_room):
    host = make_user("counsellor")
    slug = make_room(host)
    members = [make_user("member") for _ in range(6)]
    h = sockets.connect(host)
    started = time.monotonic()
    assert ask(h, "join", {"room": slug})["ok"]
    for member in members:
        answer = ask(sockets.connect(member), "join", {"room": slug})
        assert answer["ok"]  # the join answer itself lists everyone so far
        assert member.id in [m["id"] for m in answer["members"]]
    elapsed = time.monotonic() - started
    everyone = sorted([host.id, *(m.id for m in members)])
    heard = wait_for_presence(h, everyone)
    # One at once, then at most one per window: not one per join.
    assert len(heard) <= 2 + int(elapsed / WINDOW), [ids(p) for p in heard]
    assert len(heard) < 1 + len(members)
    assert all(p["room"] == slug for p in heard)
    time.sleep(WINDOW * 1.5)
    assert events(h, "presence") == []  # nothing more once the room is quiet


def test_leaving_and_disconnecting_in_a_window_end_with_the_right_list(
        sockets, make_user, make_room):
    host, stays, goes, drops = (make_user(r) for r in ("counsellor", "member", "member",
                                                       "member"))
    slug = make_room(host)
    h = sockets.connect(host)
    ask(h, "join", {"room": slug})
    g, d = sockets.connect(goes), sockets.connect(drops)
    for sc in (sockets.connect(stays), g, d):
        assert ask(sc, "join", {"room": slug})["ok"]
    assert ask(g, "leave", {"room": slug}) == {"ok": True}
    d.disconnect(namespace=NS)
    heard = wait_for_presence(h, sorted([host.id, stays.id]))
    assert len(heard) <= 3


def test_the_coalescer_windows():
    presence = PresenceCoalescer(1.0)
    assert presence.claim(7, "r", now=100.0) == 0.0  # leading edge
    assert presence.claim(7, "r", now=100.2) == pytest.approx(0.8)  # trailing, scheduled
    assert presence.claim(7, "r", now=100.5) is None  # folded into the scheduled one
    assert presence.claim(8, "s", now=100.5) == 0.0  # other rooms are independent
    presence.sending(7, now=101.0)
    assert presence.claim(7, "r", now=101.5) == pytest.approx(0.5)
    presence.sending(7, now=102.0)
    assert presence.claim(7, "r", now=103.5) == 0.0  # quiet for a window: at once again
    assert PresenceCoalescer(0).claim(7, "r", now=1.0) == 0.0
    assert PresenceCoalescer(0).claim(7, "r", now=1.0) == 0.0


def test_a_crowded_room_waits_longer_between_lists():
    """Every list goes to every member and names every member: past `CROWD` people the window
    grows with the room (500: a list a second, not four), never past `MAX_WINDOW`; a leave,
    which does not count the room, keeps the room's last window."""
    presence = PresenceCoalescer(0.25)
    assert presence.window(10) == 0.25
    assert presence.window(500) == pytest.approx(1.0)
    assert presence.window(100_000) == PresenceCoalescer.MAX_WINDOW
    assert presence.claim(7, "big", now=10.0, members=500) == 0.0
    assert presence.claim(7, "big", now=10.1, members=501) == pytest.approx(0.9, abs=0.01)
    presence.sending(7, now=11.0)
    assert presence.claim(7, "big", now=11.5) == pytest.approx(0.5, abs=0.01)  # a leave: same window
    assert presence.claim(8, "small", now=10.0, members=3) == 0.0
    assert presence.claim(8, "small", now=10.1, members=4) == pytest.approx(0.15)


def test_members_of_another_process_are_read_once_a_window(monkeypatch) -> None:
    """`People.shown` reads members it has no socket of (connected through another process)
    in one query and reuses them for its window; its own members are never read, and an
    account that connects here is shown from its own connect from then on."""
    from types import SimpleNamespace

    from forum.realtime import presence

    reads: list[list[int]] = []

    def load(ids: list[int], _session: Any) -> dict[int, dict[str, Any]]:
        reads.append(list(ids))
        return {i: {"id": i, "handle": f"h{i}", "role": "member"} for i in ids if i != 9}

    monkeypatch.setattr(presence, "load_shown", load)
    clock = [100.0]
    monkeypatch.setattr(presence.time, "monotonic", lambda: clock[0])
    people = presence.People(remote_seconds=2.0)
    people.connected(SimpleNamespace(id=1, handle="here", role="member"))
    assert [m["handle"] for m in people.shown([3, 1, 2, 9])] == ["here", "h2", "h3"]
    assert reads == [[2, 3, 9]]
    assert [m["id"] for m in people.shown([1, 2, 3])] == [1, 2, 3]
    assert reads == [[2, 3, 9]]  # within the window: no query
    people.connected(SimpleNamespace(id=2, handle="moved", role="member"))
    assert [m["handle"] for m in people.shown([2, 3])] == ["moved", "h3"]
    clock[0] += 2.0
    people.shown([1, 2, 3])
    assert reads == [[2, 3, 9], [3]]  # the window ended: read again
    assert [m["id"] for m in presence.People(remote_seconds=0).shown([3])] == [3]
