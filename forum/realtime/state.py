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
tests drive both implementations with a fake clock. Durable facts (kicks, messages) are also
written to the database by the services; this state is the fast path consulted on every event.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import Protocol

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
        return {int(r) for r in self.redis.smembers(self._k("socket", sid, "rooms"))}  # type: ignore[union-attr]

    def members(self, room_id: int) -> list[int]:
        return sorted(int(u) for u in self.redis.hkeys(self._k("room", room_id, "users")))  # type: ignore[union-attr]

    def participant_count(self, room_id: int) -> int:
        return int(self.redis.hlen(self._k("room", room_id, "users")))  # type: ignore[arg-type]

    def sockets_in_room(self, room_id: int, user_id: int) -> set[str]:
        sockets = self.redis.hgetall(self._k("room", room_id, "sockets"))
        return {sid for sid, uid in sockets.items() if int(uid) == user_id}  # type: ignore[union-attr]

    def register_socket(self, sid: str, user_id: int, token_id: int | None = None) -> None:
        pipe = self.redis.pipeline()
        pipe.sadd(self._k("user", user_id, "sockets"), sid)
        pipe.set(self._k("socket", sid, "user"), user_id)
        if token_id is not None:
            pipe.sadd(self._k("token", token_id, "sockets"), sid)
            pipe.set(self._k("socket", sid, "token"), token_id)
        pipe.execute()

    def unregister_socket(self, sid: str) -> None:
        user_id, token_id = self.redis.mget(
            self._k("socket", sid, "user"), self._k("socket", sid, "token")
        )  # type: ignore[misc]
        pipe = self.redis.pipeline()
        if user_id is not None:
            pipe.srem(self._k("user", user_id, "sockets"), sid)
        if token_id is not None:
            pipe.srem(self._k("token", token_id, "sockets"), sid)
        pipe.delete(self._k("socket", sid, "user"), self._k("socket", sid, "token"))
        pipe.execute()

    def sockets_of(self, user_id: int) -> set[str]:
        return set(self.redis.smembers(self._k("user", user_id, "sockets")))  # type: ignore[arg-type]

    def sockets_of_token(self, token_id: int) -> set[str]:
        return set(self.redis.smembers(self._k("token", token_id, "sockets")))  # type: ignore[arg-type]

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
        return bool(self.redis.sismember(self._k("room", room_id, "muted"), user_id))

    def kick(self, room_id: int, user_id: int) -> None:
        self.redis.sadd(self._k("room", room_id, "kicked"), user_id)

    def is_kicked(self, room_id: int, user_id: int) -> bool:
        return bool(self.redis.sismember(self._k("room", room_id, "kicked"), user_id))

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

    def clear_room(self, room_id: int) -> None:
        sockets = self.redis.hkeys(self._k("room", room_id, "sockets"))
        pipe = self.redis.pipeline()
        for sid in sockets:  # type: ignore[union-attr]
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
