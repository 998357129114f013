"""Room state that several server processes must agree on, behind one interface.

Presence (which socket of which user is in which room), room mutes, kicks, slow-mode clocks,
capacity and the per-person message rate limit must never live in a module-level dict when
more than one process serves Socket.IO (DESIGN.md): a member muted through one process would
talk freely through another. So there are two implementations of `RoomState`:

- `MemoryRoomState`, the single-process default (no configuration needed), guarded by a lock
  because the threading test server and gevent both run handlers concurrently;
- `RedisRoomState`, chosen when `FORUM_REDIS_URL` is set; every check-and-set is one Lua
  script, so two processes cannot both let the 51st member into a room of 50.

Times are passed in (`now`, seconds since the epoch) rather than read inside, so the same
tests drive both implementations with a fake clock. Durable facts (messages, kicks, room
mutes) are rows written by the services and read with each event's re-check; the `mute` and
`kick` methods here are no longer asked by them. With Redis, `ResilientRoomState` (below) is
what runs: Redis with this process's memory beside it, and a per-process heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Any, Protocol, cast

import redis

#: Default per-person message rate: at most this many messages in `RATE_WINDOW` seconds.
RATE_LIMIT = 10
RATE_WINDOW = 10.0


class RoomState(Protocol):
    """What the realtime layer needs to know about rooms, shared by all server processes."""

    def join(self, room_id: int, sid: str, user_id: int, capacity: int) -> bool:
        """Put socket `sid` of `user_id` in the room. False when the room already holds
        `capacity` distinct people and this user is not one of them (0: no limit)."""
        ...

    def leave(self, room_id: int, sid: str) -> bool:
        """Take the socket out of the room; True if its user has no socket left there."""
        ...

    def drop_socket(self, sid: str) -> list[int]:
        """Forget a disconnected socket everywhere; the rooms its user has fully left."""
        ...

    def rooms_of(self, sid: str) -> set[int]:
        """The rooms this socket is in."""
        ...

    def members(self, room_id: int) -> list[int]:
        """The distinct users present, in ascending id order."""
        ...

    def participant_count(self, room_id: int) -> int:
        """How many distinct people are present."""
        ...

    def sockets_in_room(self, room_id: int, user_id: int) -> set[str]:
        """The sockets of one user in one room."""
        ...

    def register_socket(self, sid: str, user_id: int, token_id: int | None = None) -> None:
        """Remember a connected socket of a user and the token (or browser session) it
        signed in with, to disconnect them when the account or the token goes."""
        ...

    def unregister_socket(self, sid: str) -> None:
        """Forget a socket of a user."""
        ...

    def sockets_of(self, user_id: int) -> set[str]:
        """Every connected socket of a user, on any process."""
        ...

    def sockets_of_token(self, token_id: int) -> set[str]:
        """Every connected socket signed in with this token, on any process."""
        ...

    def online(self, user_ids: Iterable[int]) -> set[int]:
        """Which of these accounts have an open socket (on any process)."""
        ...

    def mute(self, room_id: int, user_id: int) -> None: ...

    def unmute(self, room_id: int, user_id: int) -> None: ...

    def is_muted(self, room_id: int, user_id: int) -> bool: ...

    def kick(self, room_id: int, user_id: int) -> None: ...

    def is_kicked(self, room_id: int, user_id: int) -> bool: ...

    def slow_mode_wait(self, room_id: int, user_id: int, seconds: int, now: float) -> float:
        """0 and the clock restarted when the user may speak; otherwise the seconds left."""
        ...

    def rate_wait(self, user_id: int, now: float, limit: int = RATE_LIMIT,
                  window: float = RATE_WINDOW) -> float:
        """0 and the message counted when under the limit; otherwise the seconds to wait."""
        ...

    def clear_room(self, room_id: int) -> None:
        """Forget everything about a closed room."""
        ...


def _discard(index: dict[int, set[str]], key: int, sid: str) -> None:
    sockets = index.get(key)
    if sockets is not None:
        sockets.discard(sid)
        if not sockets:
            del index[key]


class MemoryRoomState:
    """The single-process implementation: plain dictionaries under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._room_sockets: dict[int, dict[str, int]] = defaultdict(dict)
        self._socket_rooms: dict[str, set[int]] = defaultdict(set)
        self._user_sockets: dict[int, set[str]] = defaultdict(set)
        self._token_sockets: dict[int, set[str]] = defaultdict(set)
        self._socket_owner: dict[str, tuple[int, int | None]] = {}
        self._muted: dict[int, set[int]] = defaultdict(set)
        self._kicked: dict[int, set[int]] = defaultdict(set)
        self._spoke: dict[tuple[int, int], float] = {}
        self._sent: dict[int, deque[float]] = defaultdict(deque)

    def join(self, room_id: int, sid: str, user_id: int, capacity: int) -> bool:
        with self._lock:
            sockets = self._room_sockets[room_id]
            if sid not in sockets:
                present = set(sockets.values())
                if capacity > 0 and user_id not in present and len(present) >= capacity:
                    return False
                sockets[sid] = user_id
            self._socket_rooms[sid].add(room_id)
            return True

    def _leave_locked(self, room_id: int, sid: str) -> bool:
        sockets = self._room_sockets.get(room_id, {})
        user_id = sockets.pop(sid, None)
        self._socket_rooms.get(sid, set()).discard(room_id)
        if user_id is None:
            return False
        return user_id not in sockets.values()

    def leave(self, room_id: int, sid: str) -> bool:
        with self._lock:
            return self._leave_locked(room_id, sid)

    def drop_socket(self, sid: str) -> list[int]:
        with self._lock:
            rooms = sorted(self._socket_rooms.pop(sid, set()))
            self._socket_rooms[sid] = set(rooms)
            left = [room_id for room_id in rooms if self._leave_locked(room_id, sid)]
            self._socket_rooms.pop(sid, None)
            return left

    def rooms_of(self, sid: str) -> set[int]:
        with self._lock:
            return set(self._socket_rooms.get(sid, set()))

    def members(self, room_id: int) -> list[int]:
        with self._lock:
            return sorted(set(self._room_sockets.get(room_id, {}).values()))

    def participant_count(self, room_id: int) -> int:
        return len(self.members(room_id))

    def sockets_in_room(self, room_id: int, user_id: int) -> set[str]:
        with self._lock:
            return {s for s, u in self._room_sockets.get(room_id, {}).items() if u == user_id}

    def register_socket(self, sid: str, user_id: int, token_id: int | None = None) -> None:
        with self._lock:
            self._user_sockets[user_id].add(sid)
            if token_id is not None:
                self._token_sockets[token_id].add(sid)
            self._socket_owner[sid] = (user_id, token_id)

    def unregister_socket(self, sid: str) -> None:
        with self._lock:
            owner = self._socket_owner.pop(sid, None)
            if owner is None:
                return
            user_id, token_id = owner
            _discard(self._user_sockets, user_id, sid)
            if token_id is not None:
                _discard(self._token_sockets, token_id, sid)

    def sockets_of(self, user_id: int) -> set[str]:
        with self._lock:
            return set(self._user_sockets.get(user_id, set()))

    def sockets_of_token(self, token_id: int) -> set[str]:
        with self._lock:
            return set(self._token_sockets.get(token_id, set()))

    def online(self, user_ids: Iterable[int]) -> set[int]:
        with self._lock:
            return {u for u in user_ids if self._user_sockets.get(u)}

    def mute(self, room_id: int, user_id: int) -> None:
        with self._lock:
            self._muted[room_id].add(user_id)

    def unmute(self, room_id: int, user_id: int) -> None:
        with self._lock:
            self._muted[room_id].discard(user_id)

    def is_muted(self, room_id: int, user_id: int) -> bool:
        with self._lock:
            return user_id in self._muted.get(room_id, set())

    def kick(self, room_id: int, user_id: int) -> None:
        with self._lock:
            self._kicked[room_id].add(user_id)

    def is_kicked(self, room_id: int, user_id: int) -> bool:
        with self._lock:
            return user_id in self._kicked.get(room_id, set())

    def slow_mode_wait(self, room_id: int, user_id: int, seconds: int, now: float) -> float:
        if seconds <= 0:
            return 0.0
        with self._lock:
            last = self._spoke.get((room_id, user_id))
            if last is not None and now - last < seconds:
                return seconds - (now - last)
            self._spoke[(room_id, user_id)] = now
            return 0.0

    def rate_wait(self, user_id: int, now: float, limit: int = RATE_LIMIT,
                  window: float = RATE_WINDOW) -> float:
        with self._lock:
            sent = self._sent[user_id]
            while sent and sent[0] <= now - window:
                sent.popleft()
            if len(sent) >= limit:
                return max(sent[0] + window - now, 0.001)
            sent.append(now)
            return 0.0

    def clear_room(self, room_id: int) -> None:
        with self._lock:
            for sid in self._room_sockets.pop(room_id, {}):
                self._socket_rooms.get(sid, set()).discard(room_id)
            self._muted.pop(room_id, None)
            self._kicked.pop(room_id, None)
            for key in [k for k in self._spoke if k[0] == room_id]:
                del self._spoke[key]


# Lua scripts: each check-and-set runs atomically inside Redis.
_JOIN = """
local sockets, users, socket_rooms = KEYS[1], KEYS[2], KEYS[3]
local sid, uid, capacity, room = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if redis.call('HEXISTS', sockets, sid) == 1 then return 1 end
if capacity > 0 and redis.call('HEXISTS', users, uid) == 0
   and redis.call('HLEN', users) >= capacity then
  return 0
end
redis.call('HSET', sockets, sid, uid)
redis.call('HINCRBY', users, uid, 1)
redis.call('SADD', socket_rooms, room)
return 1
"""

_LEAVE = """
local sockets, users, socket_rooms = KEYS[1], KEYS[2], KEYS[3]
local sid, room = ARGV[1], ARGV[2]
redis.call('SREM', socket_rooms, room)
local uid = redis.call('HGET', sockets, sid)
if not uid then return 0 end
redis.call('HDEL', sockets, sid)
local left = redis.call('HINCRBY', users, uid, -1)
if left <= 0 then
  redis.call('HDEL', users, uid)
  return 1
end
return 0
"""

_SLOW = """
local last = redis.call('GET', KEYS[1])
local now, seconds = tonumber(ARGV[1]), tonumber(ARGV[2])
if last and now - tonumber(last) < seconds then
  return tostring(seconds - (now - tonumber(last)))
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', math.ceil(seconds) + 1)
return '0'
"""

_RATE = """
local key = KEYS[1]
local now, window, limit, member = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if wait < 0.001 then wait = 0.001 end
  return tostring(wait)
end
redis.call('ZADD', key, now, member)
redis.call('EXPIRE', key, math.ceil(window) + 1)
return '0'
"""

#: One `presence` window for the whole cluster (`PresenceCoalescer` with a shared state):
#: KEYS lead (a window is open: someone sent at its start), pending (a trailing send is
#: scheduled somewhere). 0: send now; a positive number: schedule the trailing send in that
#: many ms; -1: a send already scheduled will carry this change.
_PRESENCE_CLAIM = """
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
local wait = redis.call('PTTL', KEYS[1])
if wait < 1 then wait = 1 end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', wait + tonumber(ARGV[2])) then return wait end
return -1
"""

#: The scheduled send goes out: the next window starts now.
_PRESENCE_SENT = """
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 1
"""


# redis-py types each answer as "the value, or an awaitable of it" (one client class serves the
# synchronous and the asyncio API). These clients are synchronous and decode answers to `str`,
# so the answers are narrowed here, once, instead of an ignore at every call.
def _members(client: redis.Redis, key: str) -> set[str]:
    return cast("set[str]", client.smembers(key))


def _hash_keys(client: redis.Redis, key: str) -> list[str]:
    return cast("list[str]", client.hkeys(key))


def _hash(client: redis.Redis, key: str) -> dict[str, str]:
    return cast("dict[str, str]", client.hgetall(key))


class RedisRoomState:
    """The shared implementation: one Redis for every server process.

    Keys start with `prefix` (tests use a fresh prefix each). Presence of a process that died
    without disconnecting its sockets is not cleaned up here; the keys of a room go when it
    closes.
    """

    def __init__(self, client: redis.Redis, prefix: str = "saheli:rooms:") -> None:
        self.redis = client
        self.prefix = prefix
        self._join = client.register_script(_JOIN)
        self._leave = client.register_script(_LEAVE)
        self._slow = client.register_script(_SLOW)
        self._rate = client.register_script(_RATE)
        self._presence_claim = client.register_script(_PRESENCE_CLAIM)
        self._presence_sent = client.register_script(_PRESENCE_SENT)

    @classmethod
    def from_url(cls, url: str, prefix: str = "saheli:rooms:") -> RedisRoomState:
        """Connect lazily to the Redis at `url`."""
        return cls(redis.Redis.from_url(url, decode_responses=True, socket_timeout=5), prefix)

    def _k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    def join(self, room_id: int, sid: str, user_id: int, capacity: int) -> bool:
        keys = [self._k("room", room_id, "sockets"), self._k("room", room_id, "users"),
                self._k("socket", sid, "rooms")]
        return bool(int(self._join(keys=keys, args=[sid, user_id, capacity, room_id])))

    def leave(self, room_id: int, sid: str) -> bool:
        keys = [self._k("room", room_id, "sockets"), self._k("room", room_id, "users"),
                self._k("socket", sid, "rooms")]
        return bool(int(self._leave(keys=keys, args=[sid, room_id])))

    def drop_socket(self, sid: str) -> list[int]:
        rooms = sorted(self.rooms_of(sid))
        left = [room_id for room_id in rooms if self.leave(room_id, sid)]
        self.redis.delete(self._k("socket", sid, "rooms"))
        return left

    def rooms_of(self, sid: str) -> set[int]:
        return {int(r) for r in _members(self.redis, self._k("socket", sid, "rooms"))}

    def members(self, room_id: int) -> list[int]:
        return sorted(int(u) for u in _hash_keys(self.redis, self._k("room", room_id, "users")))

    def participant_count(self, room_id: int) -> int:
        return int(cast(int, self.redis.hlen(self._k("room", room_id, "users"))))

    def sockets_in_room(self, room_id: int, user_id: int) -> set[str]:
        sockets = _hash(self.redis, self._k("room", room_id, "sockets"))
        return {sid for sid, uid in sockets.items() if int(uid) == user_id}

    def register_socket(self, sid: str, user_id: int, token_id: int | None = None) -> None:
        pipe = self.redis.pipeline()
        pipe.sadd(self._k("user", user_id, "sockets"), sid)
        pipe.set(self._k("socket", sid, "user"), user_id)
        if token_id is not None:
            pipe.sadd(self._k("token", token_id, "sockets"), sid)
            pipe.set(self._k("socket", sid, "token"), token_id)
        pipe.execute()

    def unregister_socket(self, sid: str) -> None:
        user_id, token_id = cast("list[str | None]", self.redis.mget(
            self._k("socket", sid, "user"), self._k("socket", sid, "token")))
        pipe = self.redis.pipeline()
        if user_id is not None:
            pipe.srem(self._k("user", user_id, "sockets"), sid)
        if token_id is not None:
            pipe.srem(self._k("token", token_id, "sockets"), sid)
        pipe.delete(self._k("socket", sid, "user"), self._k("socket", sid, "token"))
        pipe.execute()

    def sockets_of(self, user_id: int) -> set[str]:
        return _members(self.redis, self._k("user", user_id, "sockets"))

    def sockets_of_token(self, token_id: int) -> set[str]:
        return _members(self.redis, self._k("token", token_id, "sockets"))

    def online(self, user_ids: Iterable[int]) -> set[int]:
        wanted = list(user_ids)
        pipe = self.redis.pipeline(transaction=False)
        for user_id in wanted:
            pipe.scard(self._k("user", user_id, "sockets"))
        return {u for u, n in zip(wanted, pipe.execute(), strict=True) if n}

    def mute(self, room_id: int, user_id: int) -> None:
        self.redis.sadd(self._k("room", room_id, "muted"), user_id)

    def unmute(self, room_id: int, user_id: int) -> None:
        self.redis.srem(self._k("room", room_id, "muted"), user_id)

    def is_muted(self, room_id: int, user_id: int) -> bool:
        return bool(self.redis.sismember(self._k("room", room_id, "muted"), str(user_id)))

    def kick(self, room_id: int, user_id: int) -> None:
        self.redis.sadd(self._k("room", room_id, "kicked"), user_id)

    def is_kicked(self, room_id: int, user_id: int) -> bool:
        return bool(self.redis.sismember(self._k("room", room_id, "kicked"), str(user_id)))

    def slow_mode_wait(self, room_id: int, user_id: int, seconds: int, now: float) -> float:
        if seconds <= 0:
            return 0.0
        key = self._k("room", room_id, "spoke", user_id)
        return float(self._slow(keys=[key], args=[repr(now), seconds]))

    def rate_wait(self, user_id: int, now: float, limit: int = RATE_LIMIT,
                  window: float = RATE_WINDOW) -> float:
        member = f"{now!r}:{time.monotonic_ns()}"
        key = self._k("rate", user_id)
        return float(self._rate(keys=[key], args=[repr(now), window, limit, member]))

    def _presence_keys(self, room_id: int) -> list[str]:
        return [self._k("presence", room_id, "lead"), self._k("presence", room_id, "pending")]

    def claim_presence(self, room_id: int, interval: float) -> float | None:
        """`PresenceCoalescer.claim` for every process at once: 0 (send now), the seconds
        to wait before the trailing send this process must make, or None (another send,
        here or on another process, will carry the change)."""
        window = max(1, int(interval * 1000))
        grace = max(1000, window)  # a process that dies with a send scheduled holds it so long
        waited = int(self._presence_claim(keys=self._presence_keys(room_id),
                                          args=[window, grace]))
        return None if waited < 0 else waited / 1000

    def presence_sent(self, room_id: int, interval: float) -> None:
        """The trailing send goes out now: the cluster's next window starts."""
        self._presence_sent(keys=self._presence_keys(room_id),
                            args=[max(1, int(interval * 1000))])

    def clear_room(self, room_id: int) -> None:
        sockets = _hash_keys(self.redis, self._k("room", room_id, "sockets"))
        pipe = self.redis.pipeline()
        for sid in sockets:
            pipe.srem(self._k("socket", sid, "rooms"), room_id)
        for name in ("sockets", "users", "muted", "kicked"):
            pipe.delete(self._k("room", room_id, name))
        pipe.execute()
        spoke = list(self.redis.scan_iter(match=self._k("room", room_id, "spoke", "*"), count=500))
        if spoke:
            self.redis.delete(*spoke)

    def close(self) -> None:
        """Release the connection pool (tests, shutdown)."""
        self.redis.close()


#: Seconds a process's heartbeat lives in Redis; a process that stops beating (SIGKILL, a
#: crash, a pulled cable) has its sockets swept from presence this long after its last beat.
HEARTBEAT_TTL = 10
#: Seconds between beats (`RoomsNamespace.heartbeat`, every process under `forum serve`).
HEARTBEAT_INTERVAL = 2.0
#: After Redis fails, this process answers from its own memory for this long before asking
#: Redis again (so an outage costs one failed call a second, not one per event).
RETRY_AFTER = 1.0

log = logging.getLogger(__name__)

#: What a process tells its heartbeat about the sockets it serves: sid → (user id, token id,
#: the rooms it has joined, from the process's own Socket.IO channels).
LocalSockets = dict[str, tuple[int, int | None, set[int]]]


class ResilientRoomState:
    """`RedisRoomState` with this process's memory beside it (DESIGN.md: Redis is an
    accelerator, never a single point of failure for safety).

    Every change is applied to a `MemoryRoomState` mirror of this process's own sockets and
    then to Redis; a read asks Redis and, when Redis does not answer, the mirror. So while
    Redis is down a room keeps working within each process (capacity, rate and slow mode
    are then counted per process), safety actions find the sockets to cut, and nothing
    answers 500. Each process also keeps a heartbeat in Redis (`heartbeat`): when Redis comes
    back empty (a restart) or after an outage, the process writes its sockets and their rooms
    back, so presence is rebuilt; and the sockets of a process whose heartbeat expired (it
    was killed) are swept out of presence and stop using room capacity.

    Mutes and kicks are not asked of this state by the services: they are rows.
    """

    def __init__(self, shared: RedisRoomState, *, process_id: str | None = None,
                 clock: Any = time.monotonic) -> None:
        self.shared = shared
        self.local = MemoryRoomState()
        self.process_id = process_id or uuid.uuid4().hex
        self._clock = clock
        self._down_until = 0.0
        self._failed = False
        self._errors = 0

    @classmethod
    def from_url(cls, url: str, prefix: str = "saheli:rooms:") -> ResilientRoomState:
        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=2,
                                      socket_connect_timeout=1)
        return cls(RedisRoomState(client, prefix))

    # --- plumbing ------------------------------------------------------------------------

    @property
    def redis(self) -> redis.Redis:
        return self.shared.redis

    @property
    def degraded(self) -> bool:
        """Redis failed since the last successful heartbeat."""
        return self._failed

    def _try(self, call: Any, *args: Any) -> tuple[bool, Any]:
        """(True, answer) from Redis, or (False, None) when it does not answer (one log line
        per outage, with a count of refused calls at its end)."""
        if self._clock() < self._down_until:
            self._errors += 1
            return False, None
        try:
            return True, call(*args)
        except redis.RedisError as exc:
            if not self._failed:
                log.error("room state: Redis unreachable, answering from this process (%s)",
                          type(exc).__name__)
            self._failed = True
            self._errors += 1
            self._down_until = self._clock() + RETRY_AFTER
            return False, None

    def claim_presence(self, room_id: int, interval: float) -> tuple[bool, float | None]:
        """(True, `RedisRoomState.claim_presence`), or (False, None) when Redis does not
        answer (the caller then coalesces within this process)."""
        return self._try(self.shared.claim_presence, room_id, interval)

    def presence_sent(self, room_id: int, interval: float) -> None:
        self._try(self.shared.presence_sent, room_id, interval)

    def _read(self, name: str, *args: Any) -> Any:
        ok, answer = self._try(getattr(self.shared, name), *args)
        return answer if ok else getattr(self.local, name)(*args)

    def _proc(self, *parts: object) -> str:
        return self.shared._k("proc", self.process_id, *parts)

    # --- presence ------------------------------------------------------------------------

    def join(self, room_id: int, sid: str, user_id: int, capacity: int) -> bool:
        ok, admitted = self._try(self.shared.join, room_id, sid, user_id, capacity)
        if not ok:
            return self.local.join(room_id, sid, user_id, capacity)
        if admitted:
            self.local.join(room_id, sid, user_id, 0)
        return bool(admitted)

    def leave(self, room_id: int, sid: str) -> bool:
        gone_here = self.local.leave(room_id, sid)
        ok, gone = self._try(self.shared.leave, room_id, sid)
        return bool(gone) if ok else gone_here

    def drop_socket(self, sid: str) -> list[int]:
        left_here = self.local.drop_socket(sid)
        ok, left = self._try(self.shared.drop_socket, sid)
        return list(left) if ok else left_here

    def rooms_of(self, sid: str) -> set[int]:
        return set(self._read("rooms_of", sid))

    def members(self, room_id: int) -> list[int]:
        return list(self._read("members", room_id))

    def participant_count(self, room_id: int) -> int:
        return int(self._read("participant_count", room_id))

    def sockets_in_room(self, room_id: int, user_id: int) -> set[str]:
        return set(self._read("sockets_in_room", room_id, user_id))

    def _register_shared(self, sid: str, user_id: int, token_id: int | None) -> None:
        self.shared.register_socket(sid, user_id, token_id)
        self.redis.sadd(self._proc("sockets"), sid)

    def register_socket(self, sid: str, user_id: int, token_id: int | None = None) -> None:
        self.local.register_socket(sid, user_id, token_id)
        self._try(self._register_shared, sid, user_id, token_id)

    def _unregister_shared(self, sid: str) -> None:
        self.shared.unregister_socket(sid)
        self.redis.srem(self._proc("sockets"), sid)

    def unregister_socket(self, sid: str) -> None:
        self.local.unregister_socket(sid)
        self._try(self._unregister_shared, sid)

    def sockets_of(self, user_id: int) -> set[str]:
        """Every socket of the account: on every process through Redis, and at least this
        process's own when Redis does not answer (the event re-check holds the others)."""
        ok, found = self._try(self.shared.sockets_of, user_id)
        return set(found or ()) | self.local.sockets_of(user_id)

    def sockets_of_token(self, token_id: int) -> set[str]:
        ok, found = self._try(self.shared.sockets_of_token, token_id)
        return set(found or ()) | self.local.sockets_of_token(token_id)

    # --- legacy room flags (the services keep mutes and kicks as rows) --------------------

    def online(self, user_ids: Iterable[int]) -> set[int]:
        """Which of these accounts have an open socket: Redis's view, this process's own
        while Redis is away."""
        wanted = list(user_ids)
        return set(self._read("online", wanted))

    def mute(self, room_id: int, user_id: int) -> None:
        self.local.mute(room_id, user_id)
        self._try(self.shared.mute, room_id, user_id)

    def unmute(self, room_id: int, user_id: int) -> None:
        self.local.unmute(room_id, user_id)
        self._try(self.shared.unmute, room_id, user_id)

    def is_muted(self, room_id: int, user_id: int) -> bool:
        return bool(self._read("is_muted", room_id, user_id))

    def kick(self, room_id: int, user_id: int) -> None:
        self.local.kick(room_id, user_id)
        self._try(self.shared.kick, room_id, user_id)

    def is_kicked(self, room_id: int, user_id: int) -> bool:
        return bool(self._read("is_kicked", room_id, user_id))

    # --- clocks --------------------------------------------------------------------------

    def slow_mode_wait(self, room_id: int, user_id: int, seconds: int, now: float) -> float:
        ok, wait = self._try(self.shared.slow_mode_wait, room_id, user_id, seconds, now)
        return float(wait) if ok else self.local.slow_mode_wait(room_id, user_id, seconds, now)

    def rate_wait(self, user_id: int, now: float, limit: int = RATE_LIMIT,
                  window: float = RATE_WINDOW) -> float:
        ok, wait = self._try(self.shared.rate_wait, user_id, now, limit, window)
        return float(wait) if ok else self.local.rate_wait(user_id, now, limit, window)

    def clear_room(self, room_id: int) -> None:
        self.local.clear_room(room_id)
        self._try(self.shared.clear_room, room_id)

    # --- heartbeat -----------------------------------------------------------------------

    def heartbeat(self, sockets: LocalSockets) -> set[int]:
        """Beat once: renew this process's heartbeat; if Redis came back empty or after an
        outage, write this process's sockets and rooms back (and forget the ones it no longer
        has); then sweep the sockets of processes whose heartbeat expired. Returns the rooms
        whose presence changed. Never raises: Redis down is a skipped beat."""
        try:
            return self._beat(sockets)
        except redis.RedisError as exc:
            if not self._failed:
                log.error("room state: Redis unreachable at heartbeat (%s)", type(exc).__name__)
            self._failed = True
            return set()

    def _beat(self, sockets: LocalSockets) -> set[int]:
        alive = self._proc("alive")
        was = self.redis.set(alive, "1", ex=HEARTBEAT_TTL, get=True)
        self.redis.sadd(self.shared._k("procs"), self.process_id)
        changed: set[int] = set()
        if was is None or self._failed:
            changed |= self._restore(sockets)
            if self._failed:
                log.warning("room state: Redis answers again (%d call(s) answered from memory)",
                            self._errors)
            self._failed = False
            self._errors = 0
            self._down_until = 0.0
        changed |= self._sweep()
        return changed

    def _restore(self, sockets: LocalSockets) -> set[int]:
        """Make Redis hold exactly this process's sockets (after a restart or an outage)."""
        changed: set[int] = set()
        known = _members(self.redis, self._proc("sockets"))
        for sid in sorted(known - set(sockets)):
            changed.update(self.shared.drop_socket(sid))
            self._unregister_shared(sid)
        for sid, (user_id, token_id, rooms) in sockets.items():
            self._register_shared(sid, user_id, token_id)
            for room_id in rooms:
                if room_id not in self.shared.rooms_of(sid):
                    self.shared.join(room_id, sid, user_id, 0)
                    changed.add(room_id)
            for room_id in self.shared.rooms_of(sid) - rooms:
                self.shared.leave(room_id, sid)
                changed.add(room_id)
        return changed

    def _sweep(self) -> set[int]:
        """Forget every socket of a process whose heartbeat expired (killed, crashed)."""
        changed: set[int] = set()
        procs = self.shared._k("procs")
        for process in sorted(_members(self.redis, procs)):
            if process == self.process_id:
                continue
            if self.redis.exists(self.shared._k("proc", process, "alive")):
                continue
            gone = self.shared._k("proc", process, "sockets")
            for sid in sorted(_members(self.redis, gone)):
                changed.update(self.shared.rooms_of(sid))
                self.shared.drop_socket(sid)
                self.shared.unregister_socket(sid)
            self.redis.delete(gone)
            self.redis.srem(procs, process)
            log.warning("room state: swept the sockets of a process that stopped beating")
        return changed

    def stop(self) -> None:
        """A clean shutdown: the other processes sweep this one's sockets at their next beat
        instead of after the TTL."""
        self._try(self.redis.delete, self._proc("alive"))

    def close(self) -> None:
        self.shared.close()
