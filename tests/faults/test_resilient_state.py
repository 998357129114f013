"""`ResilientRoomState` on its own, two "processes" (two instances) on one Redis prefix: a
process whose heartbeat expired is swept out of presence by the others; a process that finds
Redis emptied writes its sockets back; with Redis unreachable every call answers from memory."""

from __future__ import annotations

import uuid

import pytest
import redis

from forum.realtime.state import RedisRoomState, ResilientRoomState
from tests.conftest import service_unavailable
from tests.faults.conftest import REDIS_URL
from tests.live.conftest import free_port


@pytest.fixture
def prefix():
    name = f"saheli-resilient:{uuid.uuid4().hex[:10]}:"
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable("Redis", exc)
    yield name
    keys = list(client.scan_iter(match=name + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def _process(prefix: str) -> ResilientRoomState:
    return ResilientRoomState(RedisRoomState(
        redis.Redis.from_url(REDIS_URL, decode_responses=True), prefix))


def test_the_sockets_of_a_process_that_stopped_beating_are_swept(prefix):
    first, second = _process(prefix), _process(prefix)
    first.register_socket("a1", 10, 100)
    assert first.join(7, "a1", 10, 2)
    second.register_socket("b1", 11, 101)
    assert second.join(7, "b1", 11, 2)
    assert first.heartbeat({"a1": (10, 100, {7})}) == set()
    assert second.heartbeat({"b1": (11, 101, {7})}) == set()
    assert second.members(7) == [10, 11]
    assert not second.join(7, "c1", 12, 2)  # full

    first.redis.delete(first._proc("alive"))  # what SIGKILL and 10 s do to its heartbeat
    assert second.heartbeat({"b1": (11, 101, {7})}) == {7}
    assert second.members(7) == [11]
    assert second.sockets_of(10) == set()
    assert second.join(7, "c1", 12, 2)  # her seat is free again


def test_a_process_writes_its_sockets_back_when_redis_comes_back_empty(prefix):
    state = _process(prefix)
    state.register_socket("s1", 5, 50)
    state.join(3, "s1", 5, 10)
    state.heartbeat({"s1": (5, 50, {3})})
    keys = list(state.redis.scan_iter(match=prefix + "*", count=1000))
    state.redis.delete(*keys)  # a Redis restart
    assert state.members(3) == []
    assert state.heartbeat({"s1": (5, 50, {3})}) == {3}
    assert state.members(3) == [5]
    assert state.sockets_of_token(50) == {"s1"}


def test_with_redis_unreachable_every_call_answers_from_memory():
    state = ResilientRoomState.from_url(f"redis://127.0.0.1:{free_port()}/0", prefix="x:")
    state.register_socket("s1", 5, 50)
    assert state.join(3, "s1", 5, 1)
    assert not state.join(3, "s2", 6, 1)  # capacity, counted in this process
    assert state.members(3) == [5] and state.participant_count(3) == 1
    assert state.sockets_of(5) == {"s1"} and state.sockets_of_token(50) == {"s1"}
    assert state.rate_wait(5, 100.0) == 0.0
    assert state.slow_mode_wait(3, 5, 30, 100.0) == 0.0
    assert state.slow_mode_wait(3, 5, 30, 110.0) == pytest.approx(20.0)
    assert state.heartbeat({"s1": (5, 50, {3})}) == set()  # a skipped beat, no error
    assert state.leave(3, "s1") is True
    assert state.degraded
    state.close()
