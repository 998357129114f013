"""Presence: who is connected (`People`, with the shown form of each member) and the
coalescer that sends at most one trailing list per room and interval while a room is busy;
per-recipient lists where a block applies (`conceal`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models.user import User
from forum.realtime.channels import current_database
from forum.services import support
from forum.shapes import user_json


def _shown(user: User) -> dict[str, Any]:
    shown = user_json(user)
    assert shown is not None  # a user is always shown as one
    return shown


#: How long the shown form of a member connected through another process is reused.
REMOTE_SECONDS = 2.0
#: At most this many of them are kept (all are dropped past it: they are re-read in one query).
REMOTE_MAX = 20000


class People:
    """`{id, handle, role}` of every account with a socket on this process, kept from the
    connect and refreshed by each event's re-check, so a presence list or a join answer of
    a 500-member room costs no query. Members connected through another process are read
    from the database in one query and reused for `REMOTE_SECONDS` (before, every join of
    a room filling on two processes read its other half's rows again: 250 rows a join)."""

    def __init__(self, remote_seconds: float = REMOTE_SECONDS) -> None:
        self._lock = threading.Lock()
        self._shown: dict[int, dict[str, Any]] = {}
        self._sockets: dict[int, int] = {}
        self._remote: dict[int, tuple[float, dict[str, Any]]] = {}
        self._remote_seconds = remote_seconds

    def connected(self, user: User) -> None:
        with self._lock:
            self._sockets[user.id] = self._sockets.get(user.id, 0) + 1
            self._shown[user.id] = _shown(user)
            self._remote.pop(user.id, None)

    def refresh(self, user: User) -> None:
        with self._lock:
            if user.id in self._shown:
                self._shown[user.id] = _shown(user)

    def disconnected(self, user_id: int) -> None:
        with self._lock:
            left = self._sockets.get(user_id, 0) - 1
            if left > 0:
                self._sockets[user_id] = left
            else:
                self._sockets.pop(user_id, None)
                self._shown.pop(user_id, None)

    def shown(self, ids: Iterable[int], session: Session | None = None) -> list[dict[str, Any]]:
        """The users `ids` as API.md shows them, in ascending id order; ids no longer in
        the database are left out."""
        wanted = sorted(set(ids))
        now = time.monotonic()
        with self._lock:
            found = {i: self._shown[i] for i in wanted if i in self._shown}
            for i in wanted:
                kept = self._remote.get(i)
                if i not in found and kept is not None and now - kept[0] < self._remote_seconds:
                    found[i] = kept[1]
        missing = [i for i in wanted if i not in found]
        if missing:
            loaded = load_shown(missing, session)
            found.update(loaded)
            if self._remote_seconds > 0:
                with self._lock:
                    if len(self._remote) + len(loaded) > REMOTE_MAX:
                        self._remote.clear()
                    for i, shown in loaded.items():
                        if i not in self._shown:
                            self._remote[i] = (now, shown)
        return [found[i] for i in wanted if i in found]


def load_shown(ids: list[int], session: Session | None) -> dict[int, dict[str, Any]]:
    query = select(User.id, User.handle, User.role).where(User.id.in_(ids))
    if session is not None:
        rows = session.execute(query).all()
    else:
        with current_database().unit_of_work() as own:
            rows = own.execute(query).all()
    return {i: {"id": i, "handle": handle, "role": role} for i, handle, role in rows}


class SharedPresence(Protocol):
    """The part of `ResilientRoomState` that coalesces `presence` for every process."""

    def claim_presence(self, room_id: int, interval: float) -> tuple[bool, float | None]: ...

    def presence_sent(self, room_id: int, interval: float) -> None: ...


class PresenceCoalescer:
    """At most one `presence` per room per `interval` seconds from this process (from all
    of them, with a `shared` state on Redis).

    A room filling up would otherwise cost O(n²): every join sends the whole member list to
    everyone already there. The first change in a quiet room is sent at once (leading edge);
    changes within `interval` of the last send are folded into one trailing send at the end
    of the window, whose list is read when it is sent, so the last `presence` a client hears
    always lists everyone present. `interval` 0 sends on every change.

    The window grows with the room (`window`): each list goes to every member and holds
    every member, so a room of 500 filling up sends 250,000 entries a window; past `CROWD`
    members the window is as much longer as the room is larger, up to `MAX_WINDOW` seconds
    (500 members: a list a second rather than four; halves what the members' phones parse
    while a counsellor's room fills, docs/performance.md).
    """

    #: Members a window of `interval` serves; a larger room waits longer between lists.
    CROWD = 125
    #: The longest window, whatever the room's size (seconds).
    MAX_WINDOW = 2.0

    def __init__(self, interval: float, shared: SharedPresence | None = None) -> None:
        self.interval = max(0.0, interval)
        #: With several processes (Redis), one window for all of them: otherwise each
        #: process sends its own lists and every member hears twice as many while a room
        #: fills. Within this process only while Redis does not answer.
        self.shared = shared
        self._lock = threading.Lock()
        self._sent: dict[int, float] = {}
        self._pending: set[int] = set()
        self._windows: dict[int, float] = {}
        self.slugs: dict[int, str] = {}

    def window(self, members: int) -> float:
        """The window of a room with `members` people in it."""
        scaled = self.interval * max(1.0, members / self.CROWD)
        return max(self.interval, min(scaled, self.MAX_WINDOW))

    def claim(self, room_id: int, slug: str, now: float, members: int | None = None
              ) -> float | None:
        """0: send now; a positive wait: send then (the caller schedules it); None: a send
        is already scheduled and will carry this change. `members`: how many are in the room
        now (None: not counted, the room's last window holds)."""
        with self._lock:
            self.slugs[room_id] = slug
            if self.interval <= 0:
                return 0.0
            if members is not None:
                self._windows[room_id] = self.window(members)
            interval = self._windows.get(room_id, self.interval)
        if self.shared is not None:
            answered, wait = self.shared.claim_presence(room_id, interval)
            if answered:
                return wait
        with self._lock:
            if room_id in self._pending:
                return None
            last = self._sent.get(room_id)
            if last is None or now - last >= interval:
                self._sent[room_id] = now
                if len(self._sent) > 1000:  # forget rooms quiet for a window
                    for key in [k for k, t in self._sent.items()
                                if now - t >= self._windows.get(k, self.interval)]:
                        self._sent.pop(key, None)
                        self._windows.pop(key, None)
                return 0.0
            self._pending.add(room_id)
            return last + interval - now

    def sending(self, room_id: int, now: float) -> None:
        """The scheduled send goes out now; later changes start a new window."""
        with self._lock:
            self._pending.discard(room_id)
            self._sent[room_id] = now
            interval = self._windows.get(room_id, self.interval)
        if self.shared is not None:
            self.shared.presence_sent(room_id, interval)

    def forget(self, room_id: int) -> None:
        with self._lock:
            self._sent.pop(room_id, None)
            self._windows.pop(room_id, None)
            self.slugs.pop(room_id, None)



def current_people() -> People:
    return current_app.extensions["forum.people"]


def current_presence() -> PresenceCoalescer:
    return current_app.extensions["forum.presence"]



def conceal(session: Session, room_id: int, slug: str, shown: list[dict[str, Any]]
             ) -> list[dict[str, Any]]:
    """A member list of the room of an offer, with the member it was made to shown only as
    "the person who wrote this" (`forum.services.support.offer`)."""
    hidden = support.concealed_member(session, room_id, slug)
    if hidden is None:
        return shown
    return [support.writer_shown() if m.get("id") == hidden else m for m in shown]
