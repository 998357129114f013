"""A micro-cache of the hot read pages, kept exact by a forum-wide write generation.

Members on slow links reload a board or a thread again and again; between two writes
anywhere in the forum the answer cannot change, so each process keeps the JSON it last sent
for `(viewer, path?query)` and answers the same request again from memory.

Exactness comes from one number, the *write generation*: every committed unit of work that
wrote anything (a post, an edit, a block, a role change, a sanction, an erasure, a revoked
token — whatever the path, `forum.db.Database` notices the flush) increments it, and an entry
is served only while the generation it was rendered under is still current. Without Redis the
generation lives in the process (one process is the whole forum); with `FORUM_REDIS_URL` it
is a Redis counter, incremented by the writer before it answers and read by every cached
request, so a member who posts through one process and reads through another sees her post
at once. If Redis cannot be read the cache is bypassed (never trusted blindly); entries also
expire after `FORUM_PAGE_CACHE_SECONDS` (5; 0 turns the cache off), which bounds what a
change made outside Saheli (an operator's SQL) can leave stale.

What is cached: only answers to `GET` API views declared `cached`, only 200s, only for
visitors who are anonymous or signed in with a bearer token and cannot reveal anonymous
authors (a moderator's look at an anonymous author must be audited each time, so staff are
always served fresh). A cookie-authenticated request is never cached. Entries hold exactly
what that viewer was sent and are keyed by her user id, so nothing crosses between viewers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask, Response, current_app, g, request

from forum import tokens
from forum.db import utcnow
from forum.policy import Actor, Permission
from forum.sessions import bearer_secret

log = logging.getLogger(__name__)

#: Entries kept per process, and the bytes of JSON they may hold together (least recently
#: used dropped first): a process serving a thousand sockets must stay small.
MAX_ENTRIES = 4096
MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Ticket:
    """What a request that missed needs to store its answer: path, token and generation at
    start."""

    path: str
    token_hash: str | None
    generation: int


class PageCache:
    """Per-process entries, validated against the write generation."""

    def __init__(self, seconds: float, generation_store: GenerationStore,
                 *, clock: Callable[[], float] = time.monotonic,
                 max_bytes: int = MAX_BYTES) -> None:
        self.seconds = seconds
        self.store = generation_store
        self.clock = clock
        self.max_bytes = max_bytes
        self.bytes = 0
        self._pages: OrderedDict[tuple[Any, ...], tuple[float, int, bytes]] = OrderedDict()
        #: token hash -> (expiry, generation, the viewer's key: a user id, "anonymous" for a
        #: token that is not valid, None for a viewer who is never served from the cache)
        self._viewers: dict[str, tuple[float, int, int | str | None]] = {}
        self._lock = threading.Lock()

    # --- serving ------------------------------------------------------------------------

    def lookup(self) -> Response | Ticket | None:
        """The stored answer to this request, or a ticket to store it, or None (not cached)."""
        if request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
            return None
        generation = self.store.current()
        if generation is None:
            return None
        now = self.clock()
        secret = bearer_secret()
        token_hash = None
        viewer: Any = "anonymous"
        if secret is not None:
            if len(secret) > 200:
                return None
            token_hash = tokens.token_hash(secret)
            known = self._viewers.get(token_hash)
            if known is not None and known[0] > now and known[1] == generation:
                if known[2] is None:
                    return None  # staff: always fresh, always audited
                viewer = known[2]
            else:
                viewer = None  # not known yet: render, and learn who this is
        path = request.full_path
        if viewer is not None:
            key = (viewer, path)
            with self._lock:
                entry = self._pages.get(key)
                if entry is not None and entry[0] > now and entry[1] == generation:
                    self._pages.move_to_end(key)
                    return Response(entry[2], mimetype="application/json")
        return Ticket(path, token_hash, generation)

    def remember(self, ticket: Ticket, actor: Actor, response: Response) -> None:
        """Store a fresh answer under the generation its request started with (never past
        the moment the viewer's token expires)."""
        expires = self.clock() + self.seconds
        token_expires_at = g.get("auth_token_expires_at")
        if token_expires_at is not None:
            left = (token_expires_at - utcnow()).total_seconds()
            expires = min(expires, self.clock() + max(left, 0.0))
        viewer: int | str | None = actor.id if actor.id is not None else "anonymous"
        if actor.can(Permission.AUTHOR_REVEAL):
            viewer = None
        if ticket.token_hash is not None:
            if len(self._viewers) >= 4 * MAX_ENTRIES:
                self._viewers.clear()
            self._viewers[ticket.token_hash] = (expires, ticket.generation, viewer)
        if viewer is None or response.status_code != 200:
            return
        key = (viewer, ticket.path)
        body = response.get_data()
        if len(body) > self.max_bytes // 16:
            return  # one page must not push out many
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.bytes -= len(old[2])
            self._pages[key] = (expires, ticket.generation, body)
            self.bytes += len(body)
            while len(self._pages) > MAX_ENTRIES or self.bytes > self.max_bytes:
                _key, (_expires, _generation, dropped) = self._pages.popitem(last=False)
                self.bytes -= len(dropped)

    # --- writes -------------------------------------------------------------------------

    def wrote(self) -> None:
        """A unit of work that wrote has committed: every entry is out of date."""
        self.store.advance()
        with self._lock:
            self._pages.clear()
            self.bytes = 0
        self._viewers.clear()


class GenerationStore:
    """The write generation of a single process."""

    def __init__(self) -> None:
        self._value = 0

    def current(self) -> int | None:
        return self._value

    def advance(self) -> None:
        self._value += 1


class RedisGenerationStore(GenerationStore):
    """The write generation shared by every process, as a Redis counter."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        super().__init__()
        self.client = client
        self.key = key

    def current(self) -> int | None:
        try:
            return int(self.client.get(self.key) or 0)
        except redis.RedisError as exc:
            log.warning("page cache bypassed: cannot read the write generation (%r)", exc)
            return None

    def advance(self) -> None:
        try:
            self.client.incr(self.key)
        except redis.RedisError as exc:
            # Other processes cannot learn of this write: their entries may be stale for
            # up to FORUM_PAGE_CACHE_SECONDS. Say so; the write itself has committed.
            log.error("page cache: could not publish a write generation (%r)", exc)


def page_cache() -> PageCache | None:
    """The app's cache, or None when it is turned off."""
    return current_app.extensions.get("forum.pagecache")


def init_app(app: Flask) -> None:
    """Create the cache (unless FORUM_PAGE_CACHE_SECONDS is 0) and have every committed write
    advance the generation."""
    settings = app.config["FORUM"]
    seconds = int(settings.get("FORUM_PAGE_CACHE_SECONDS", 5))
    if seconds <= 0:
        return
    store: GenerationStore = GenerationStore()
    url = settings.get("FORUM_REDIS_URL")
    if url:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        # Under the deployment's Redis prefix, so two forums sharing a Redis stay apart.
        prefix = settings.get("FORUM_ROOM_STATE_PREFIX", "saheli:rooms:")
        store = RedisGenerationStore(client, f"{prefix}pages-generation")
    cache = PageCache(seconds, store)
    app.extensions["forum.pagecache"] = cache
    app.extensions["forum.db"].after_write_commit.append(cache.wrote)
