"""The shared room state: the same specification for the in-memory and the Redis
implementation. Redis tests skip on a laptop without Redis and fail under CI=true."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from forum.realtime.state import MemoryRoomState, RedisRoomState
from tests.conftest import service_unavailable

REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", "redis"])
def state(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryRoomState()
        return
    prefix = f"saheli-test:{uuid.uuid4().hex[:10]}:"
    shared = RedisRoomState.from_url(REDIS_URL, prefix=prefix)
    try:
        shared.redis.ping()
    except redis.RedisError as exc:
        shared.close()
        service_unavailable("Redis", exc)
    yield shared
    keys = list(shared.redis.scan_iter(match=prefix + "*", count=1000))
    if keys:
        shared.redis.delete(*keys)
    shared.close()


def test_presence_counts_people_not_sockets(state):
    assert state.join(1, "a1", 10, 50)
    assert state.join(1, "a2", 10, 50)  # the same member on her phone
    assert state.join(1, "b1", 11, 50)
    assert state.members(1) == [10, 11]
    assert state.participant_count(1) == 2
    assert state.rooms_of("a1") == {1}
    assert state.sockets_in_room(1, 10) == {"a1", "a2"}
    assert state.leave(1, "a1") is False  # still there through a2
    assert state.leave(1, "a2") is True
    assert state.members(1) == [11]
    assert state.leave(1, "a2") is False  # leaving twice changes nothing


def test_joining_twice_is_harmless(state):
    assert state.join(3, "s", 1, 2)
    assert state.join(3, "s", 1, 2)
    assert state.participant_count(3) == 1


def test_capacity_refuses_a_new_person_but_not_a_second_socket(state):
    assert state.join(2, "a", 1, 2)
    assert state.join(2, "b", 2, 2)
    assert not state.join(2, "c", 3, 2)
    assert state.join(2, "a-phone", 1, 2)
    assert state.members(2) == [1, 2]
    assert state.join(2, "host", 99, 0)  # 0: no limit (hosts and moderators)
    assert state.participant_count(2) == 3


def test_a_dropped_socket_leaves_every_room(state):
    state.join(1, "s", 5, 50)
    state.join(2, "s", 5, 50)
    state.join(2, "t", 5, 50)
    assert state.drop_socket("s") == [1]  # still in room 2 through t
    assert state.rooms_of("s") == set()
    assert state.members(1) == []
    assert state.members(2) == [5]


def test_sockets_of_a_user(state):
    state.register_socket("x", 7)
    state.register_socket("y", 7)
    state.register_socket("z", 8)
    assert state.sockets_of(7) == {"x", "y"}
    state.unregister_socket("x")
    assert state.sockets_of(7) == {"y"}
    assert state.sockets_of(9) == set()


def test_mutes_and_kicks_are_per_room(state):
    state.mute(1, 5)
    assert state.is_muted(1, 5)
    assert not state.is_muted(2, 5)
    state.unmute(1, 5)
    assert not state.is_muted(1, 5)
    state.kick(1, 6)
    assert state.is_kicked(1, 6)
    assert not state.is_kicked(2, 6)


def test_slow_mode_clock(state):
    assert state.slow_mode_wait(1, 5, 30, now=1000.0) == 0
    assert state.slow_mode_wait(1, 5, 30, now=1010.0) == pytest.approx(20.0)
    assert state.slow_mode_wait(1, 6, 30, now=1010.0) == 0  # another member
    assert state.slow_mode_wait(2, 5, 30, now=1010.0) == 0  # another room
    assert state.slow_mode_wait(1, 5, 30, now=1030.5) == 0
    assert state.slow_mode_wait(1, 5, 0, now=1030.6) == 0  # off


def test_rate_limit_is_a_sliding_window(state):
    for i in range(3):
        assert state.rate_wait(5, now=100.0 + i, limit=3, window=10.0) == 0
    assert state.rate_wait(5, now=105.0, limit=3, window=10.0) == pytest.approx(5.0)
    assert state.rate_wait(6, now=105.0, limit=3, window=10.0) == 0  # someone else
    assert state.rate_wait(5, now=110.5, limit=3, window=10.0) == 0  # the first has aged out


def test_clearing_a_room_forgets_it(state):
    state.join(4, "s", 1, 50)
    state.join(5, "s", 1, 50)
    state.mute(4, 2)
    state.kick(4, 3)
    state.slow_mode_wait(4, 1, 60, now=10.0)
    state.clear_room(4)
    assert state.members(4) == []
    assert state.rooms_of("s") == {5}
    assert not state.is_muted(4, 2)
    assert not state.is_kicked(4, 3)
    assert state.slow_mode_wait(4, 1, 60, now=11.0) == 0


def test_one_presence_window_for_every_process() -> None:
    """Two processes on one Redis coalesce `presence` as one: the first change in a quiet
    room is sent at once by whoever saw it, the first change after it (on either process)
    schedules the one trailing send, later ones ride on it, and the trailing send opens the
    next window. Without Redis each process coalesces on its own."""
    from forum.realtime.presence import PresenceCoalescer
    from forum.realtime.state import ResilientRoomState

    prefix = f"saheli-test:{uuid.uuid4().hex[:10]}:"
    one = ResilientRoomState(RedisRoomState.from_url(REDIS_URL, prefix=prefix))
    two = ResilientRoomState(RedisRoomState.from_url(REDIS_URL, prefix=prefix))
    try:
        one.redis.ping()
    except redis.RedisError as exc:
        service_unavailable("Redis", exc)
    try:
        first, second = PresenceCoalescer(5.0, shared=one), PresenceCoalescer(5.0, shared=two)
        assert first.claim(1, "r", 0.0) == 0.0
        wait = second.claim(1, "r", 0.0)
        assert wait is not None and 4.0 < wait <= 5.0
        assert first.claim(1, "r", 0.0) is None and second.claim(1, "r", 0.0) is None
        assert first.claim(2, "s", 0.0) == 0.0  # rooms are independent
        second.sending(1, 0.0)  # the trailing send went out: a new window, with no send due
        later = first.claim(1, "r", 0.0)
        assert later is not None and later > 4.0
        alone = PresenceCoalescer(5.0)
        assert alone.claim(1, "r", 0.0) == 0.0 and alone.claim(1, "r", 1.0) == 4.0
    finally:
        keys = list(one.redis.scan_iter(match=prefix + "*", count=1000))
        if keys:
            one.redis.delete(*keys)
        one.shared.close()
        two.shared.close()
