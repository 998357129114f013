"""A cache of the hot read pages that survives a live forum: kept per thread and per board,
invalidated by what each committed write touched, shared by every viewer it is exact for.

Members on slow links reload a board or a thread again and again, and most of them see the
same page: what differs between two members is only whom each blocked (or was blocked by),
what each asked not to see again, and her own held posts. So a page is kept once per *reading
class* (anonymous, or a role) and per `path?query`, and served to a member only when none of
that applies to it:

- the page's rows (every row the page's statement fetched, the one past the page included)
  have no *named* author she blocked or who blocked her (the block rule never acts on
  anonymous content, so no anonymous author's id is kept with a page), and none of the posts
  or threads she hid;
- she holds no post in that thread (nor a held thread on that board): those pages of hers
  show what the class's do not;
- she is not staff: a moderator's look at an anonymous author is audited every time, so staff
  are always served fresh, and nothing a moderator was shown is ever kept.

Her own data (the authors a block hides from her, the items she hid, where she holds
content) is read once and kept beside her token, and is dropped by any write that touches it.
A page is served as it was sent to the class: nothing in it is specific to a viewer.

**Invalidation.** `forum.db` records every write statement at the engine level, whatever sent
it (the ORM's flush, a Core insert, raw SQL), and announces each transaction's writes after it
commits. `keys_of` turns a write into *purge keys*: a reply purges its thread (and that
thread's board pages), an edit its post, a block the two members' own data, a role change
the pages showing that member's name; a write to a table no cached page reads (room
messages, notifications, audit) purges nothing, and a write the rules cannot read (raw SQL,
an UPDATE with an OR) purges everything. Pages record the keys they depend on.

With `FORUM_REDIS_URL`, purge keys are also appended to a Redis stream; every cached request
first reads what other processes appended since it last looked (one round trip, as the old
write generation cost) and applies it, so a write through one process is seen by the next
request anywhere. If Redis cannot be read the cache is bypassed and emptied. Entries expire
after `FORUM_PAGE_CACHE_SECONDS` (60; 0 turns the cache off), which bounds what a change made
outside Saheli's engine (an operator's SQL in psql) can leave stale.

What is cached: only 200 answers of `GET` API views declared `cached` that said what they
depend on (`depends_on`), for visitors who are anonymous or send a bearer token. A
cookie-authenticated request is never cached.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import Flask, Response, current_app, g, request
from sqlalchemy import bindparam, literal, select, union_all

from forum.db import Write, utcnow
from forum.http.sessions import bearer_secret
from forum.identity import tokens
from forum.policy import Actor, Permission, hidden_authors_sql

log = logging.getLogger(__name__)

#: Entries kept per process, and the bytes of JSON they may hold together (least recently
#: used dropped first): a process serving a thousand sockets must stay small.
MAX_ENTRIES = 4096
MAX_BYTES = 8 * 1024 * 1024
#: Viewers (tokens, and each member's own data) remembered per process.
MAX_VIEWERS = 16384

ALL = "*"  # everything
TOKENS = "tokens"  # which token is whose
VIEWERS = "viewers"  # every member's own data (blocks, hidden items, held content)
BOARDS = "boards"  # the list of boards
BOARD_PAGES = "board-pages"  # every board's pages
# "board:ID": the board itself (its name, visibility); "listing:ID": which threads its pages
# list, in which order; "thread:ID", "post:ID", "user:ID": those rows; "viewer:ID": her own data


def _ids(prefix: str, values: Iterable[Any]) -> set[str]:
    return {f"{prefix}:{v}" for v in values if v is not None}


def _content_keys(write: Write, *, own: str, parent: str, moved: str) -> set[str]:
    """Posts (`parent` thread) and threads (`parent` board): a new row purges its parent's
    pages (and its author's own data when it is held); a changed row purges its own key."""
    rows = write.rows
    column = "board_id" if parent == "listing" else f"{parent}_id"
    if rows is None:
        return {ALL}
    if write.verb == "insert":
        keys = _ids(parent, (r.get(column) for r in rows))
        return keys | _ids("viewer", (r.get("author_id") for r in rows
                                      if r.get("status") != "published"))
    keys = set()
    for row in rows:
        if "id" in row:
            keys.add(f"{own}:{row['id']}")
        elif column in row:
            keys.add(f"{parent}:{row[column]}")
        else:
            return {ALL}
    if write.sets & {"status", "author_id", moved, "?"}:
        keys |= {VIEWERS, BOARD_PAGES}  # who holds content, and which board lists it
    return keys


def _board_keys(write: Write) -> set[str]:
    if write.verb == "insert":
        return {BOARDS}
    rows = write.rows
    if rows is not None and all("id" in r for r in rows) and write.sets <= {"thread_count"}:
        return _ids("listing", (r["id"] for r in rows)) | {BOARDS}
    return {ALL}


def _user_keys(write: Write) -> set[str]:
    if write.verb == "insert":
        return set()  # a new account is on no page yet
    if write.rows is not None and all("id" in r for r in write.rows):
        ids = [r["id"] for r in write.rows]
        return _ids("user", ids) | _ids("viewer", ids)
    return {ALL}


def _own_data_keys(columns: tuple[str, ...]) -> Callable[[Write], set[str]]:
    def keys(write: Write) -> set[str]:
        rows = write.rows
        if rows is not None and all(any(c in r for c in columns) for r in rows):
            return _ids("viewer", (r.get(c) for r in rows for c in columns))
        return {VIEWERS}
    return keys


#: What a write to each table the cached pages read purges; a write to any other table
#: (rooms, notifications, audit, reports) purges nothing.
_RULES: dict[str, Callable[[Write], set[str]]] = {
    "posts": lambda w: _content_keys(w, own="post", parent="thread", moved="thread_id"),
    "threads": lambda w: _content_keys(w, own="thread", parent="listing", moved="board_id"),
    "boards": _board_keys,
    "users": _user_keys,
    "blocks": _own_data_keys(("blocker_id", "blocked_id")),
    "hidden_items": _own_data_keys(("user_id",)),
    # A new token is nobody's yet; a token changed or deleted (sign-out, erasure, a ban)
    # makes every process forget which token is whose.
    "auth_tokens": lambda w: set() if w.verb == "insert" else {TOKENS},
}


def keys_of(write: Write) -> set[str]:
    """The purge keys of one committed write statement (see the module's docstring)."""
    if write.table is None:
        return {ALL}
    rule = _RULES.get(write.table)
    return rule(write) if rule is not None else set()


@dataclass(frozen=True, slots=True)
class PageDeps:
    """What a page was built from: the keys whose purge drops it, and what a member's own
    data is checked against before she is served it (named authors, thread and post ids of
    every row fetched)."""

    keys: frozenset[str]
    authors: frozenset[int] = frozenset()
    threads: frozenset[int] = frozenset()
    posts: frozenset[int] = frozenset()
    #: thread id -> board id, learned so that a thread's purge also reaches its board's pages
    boards_of: tuple[tuple[int, int], ...] = ()
    #: the board a board page lists (None for other pages)
    listing: int | None = None


def depends_on(**deps: Any) -> None:
    """Called by a cached view with `PageDeps`' fields: what its answer depends on (without
    it, nothing is kept)."""
    g.page_deps = PageDeps(**deps)


@dataclass(frozen=True, slots=True)
class Ticket:
    """What a request that missed needs to store its answer."""

    path: str
    token_hash: str | None
    epoch: int


@dataclass(slots=True)
class _Entry:
    expires: float
    body: bytes
    deps: PageDeps


@dataclass(slots=True)
class _Viewer:
    expires: float
    user_id: int
    reading_class: str | None  # None: staff, never served from the cache


@dataclass(frozen=True, slots=True)
class OwnData:
    """A member's own data that makes some of her pages differ from her class's."""

    hidden_authors: frozenset[int] = frozenset()
    hidden_threads: frozenset[int] = frozenset()
    hidden_posts: frozenset[int] = frozenset()
    #: threads where she holds a post (or that are hers and held), boards listing a held
    #: thread of hers: only there do her pages show what the class's do not
    held_threads: frozenset[int] = frozenset()
    held_boards: frozenset[int] = frozenset()

    @property
    def hides_nothing(self) -> bool:
        return not (self.hidden_authors or self.hidden_threads or self.hidden_posts)

    def allows(self, deps: PageDeps) -> bool:
        """Whether the class's page built from `deps` is exactly hers."""
        return (self.hidden_authors.isdisjoint(deps.authors)
                and self.hidden_threads.isdisjoint(deps.threads)
                and self.hidden_posts.isdisjoint(deps.posts)
                and self.held_threads.isdisjoint(deps.threads)
                and deps.listing not in self.held_boards)


def reading_class(actor: Actor) -> str | None:
    """Whom a page is kept for: the anonymous visitor, or members of one role (the role and
    the second factor decide which boards she reads); None for staff."""
    if actor.user is None:
        return "anonymous"
    if actor.can(Permission.POST_MODERATE) or actor.can(Permission.AUTHOR_REVEAL):
        return None
    return f"{actor.user.role}:{int(actor.totp_ok)}"


def _own_data_statement() -> Any:
    """One statement: ("author", id) for each member a block hides from her, ("thread" or
    "post", id) for each item she hid, ("held_thread", id) for each thread where she holds a
    post or that is hers and held, ("held_board", id) for the board of each held thread."""
    from forum.models.board import Post, PostStatus, Thread
    from forum.models.safety import HiddenItem

    viewer = bindparam("viewer")
    held = [PostStatus.PENDING.value, PostStatus.HIDDEN.value]
    authors = hidden_authors_sql(viewer).subquery()
    return union_all(
        select(literal("author"), authors.c.uid),
        select(HiddenItem.target_type, HiddenItem.target_id).where(HiddenItem.user_id == viewer),
        select(literal("held_thread"), Post.thread_id).where(
            Post.author_id == viewer, Post.status.in_(held)),
        select(literal("held_thread"), Thread.id).where(
            Thread.author_id == viewer, Thread.status.in_(held)),
        select(literal("held_board"), Thread.board_id).where(
            Thread.author_id == viewer, Thread.status.in_(held)),
    )


_OWN_DATA: list[Any] = []


def load_own_data(connection: Any, user_id: int) -> OwnData:
    """Her blocks (both ways), hidden items and held content, in one statement (built once)."""
    if not _OWN_DATA:
        _OWN_DATA.append(_own_data_statement())
    found: dict[str, set[int]] = {}
    for kind, value in connection.execute(_OWN_DATA[0], {"viewer": user_id}):
        found.setdefault(kind, set()).add(int(value))
    return OwnData(**{f"hidden_{k}s" if k in ("author", "thread", "post") else f"{k}s":
                      frozenset(v) for k, v in found.items()})


@dataclass
class _Log:
    """The purges of the last moments, so that an answer rendered before a purge it depends
    on is not stored after it."""

    epoch: int = 0
    recent: deque[tuple[int, frozenset[str]]] = field(default_factory=lambda: deque(maxlen=512))

    def add(self, keys: frozenset[str]) -> None:
        self.epoch += 1
        self.recent.append((self.epoch, keys))

    def since(self, epoch: int) -> set[str] | None:
        """Every key purged after `epoch`; None if that is too long ago to tell."""
        if epoch == self.epoch:
            return set()
        if not self.recent or self.recent[0][0] > epoch + 1:
            return None
        found: set[str] = set()
        for at, keys in self.recent:
            if at > epoch:
                found |= keys
        return found


class PageCache:
    """Per-process pages, viewers and members' own data, purged by key."""

    def __init__(self, seconds: float, bus: PurgeBus | None = None,
                 *, clock: Callable[[], float] = time.monotonic,
                 max_bytes: int = MAX_BYTES) -> None:
        self.seconds = seconds
        self.bus = bus or PurgeBus()
        self.bus.apply = self.purge
        self.clock = clock
        self.max_bytes = max_bytes
        self.bytes = 0
        self._pages: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._by_key: dict[str, set[tuple[str, str]]] = {}
        self._viewers: dict[str, _Viewer] = {}
        self._tokens_of: dict[int, set[str]] = {}
        self._own: dict[int, OwnData] = {}
        self._board_of: dict[int, int] = {}
        self._log = _Log()
        self._lock = threading.RLock()

    # --- serving ------------------------------------------------------------------------

    def lookup(self) -> Response | Ticket | None:
        """The stored answer to this request, or a ticket to store it, or None (not cached)."""
        if request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
            return None
        if not self.bus.sync():
            return None
        now = self.clock()
        epoch = self._log.epoch
        secret = bearer_secret()
        token_hash = None
        path = request.full_path
        if secret is None:
            entry = self._page(("anonymous", path), now)
            if entry is not None:
                return Response(entry.body, mimetype="application/json")
            return Ticket(path, None, epoch)
        if len(secret) > 200:
            return None
        token_hash = tokens.token_hash(secret)
        viewer = self._viewers.get(token_hash)
        if viewer is None or viewer.expires <= now:
            return Ticket(path, token_hash, epoch)  # render, and learn who this is
        if viewer.reading_class is None:
            return None  # staff: always fresh, always audited
        g.cached_viewer_id = viewer.user_id
        entry = self._page((viewer.reading_class, path), now)
        if entry is not None and self.own_data(viewer.user_id).allows(entry.deps):
            return Response(entry.body, mimetype="application/json")
        return Ticket(path, token_hash, epoch)

    def _page(self, key: tuple[str, str], now: float) -> _Entry | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry.expires <= now:
                return None
            self._pages.move_to_end(key)
            return entry

    def own_data(self, user_id: int) -> OwnData:
        """Her own data, read from the database the first time after it changed."""
        known = self._own.get(user_id)
        if known is not None:
            return known
        from forum import db

        epoch = self._log.epoch
        found = load_own_data(db.session().connection(), user_id)
        purged = self._log.since(epoch)
        if purged is not None and not purged & {ALL, VIEWERS, f"viewer:{user_id}"}:
            if len(self._own) >= MAX_VIEWERS:
                self._own.clear()
            self._own[user_id] = found
        return found

    def remember(self, ticket: Ticket, actor: Actor, response: Response) -> None:
        """Store a fresh answer, unless something it depends on was purged while it was
        being rendered (never past the moment the viewer's token expires)."""
        now = self.clock()
        expires = now + self.seconds
        token_expires_at = g.get("auth_token_expires_at")
        if token_expires_at is not None:
            left = (token_expires_at - utcnow()).total_seconds()
            expires = min(expires, now + max(left, 0.0))
        klass = reading_class(actor)
        purged = self._log.since(ticket.epoch)
        if purged is None or ALL in purged:
            return
        if ticket.token_hash is not None and actor.id is not None:
            if not purged & {TOKENS, f"viewer:{actor.id}"}:
                self._learn_viewer(ticket.token_hash, _Viewer(expires, actor.id, klass))
        deps: PageDeps | None = g.get("page_deps")
        if klass is None or deps is None or response.status_code != 200:
            return
        if purged & deps.keys:
            return
        if actor.id is not None and purged & {VIEWERS, f"viewer:{actor.id}"}:
            return  # her own data changed while her page was read
        if actor.id is not None:
            own = self.own_data(actor.id)
            if not (own.hides_nothing and own.allows(deps)):
                return  # her page is her own: not the class's
        body = response.get_data()
        if len(body) > self.max_bytes // 16:
            return  # one page must not push out many
        self._store((klass, ticket.path), _Entry(expires, body, deps))

    def _learn_viewer(self, token_hash: str, viewer: _Viewer) -> None:
        with self._lock:
            if len(self._viewers) >= MAX_VIEWERS:
                self._viewers.clear()
                self._tokens_of.clear()
            self._viewers[token_hash] = viewer
            self._tokens_of.setdefault(viewer.user_id, set()).add(token_hash)

    def _store(self, key: tuple[str, str], entry: _Entry) -> None:
        with self._lock:
            self._drop(key)
            self._pages[key] = entry
            self.bytes += len(entry.body)
            for dep in entry.deps.keys:
                self._by_key.setdefault(dep, set()).add(key)
            for thread_id, board_id in entry.deps.boards_of:
                self._board_of[thread_id] = board_id
            if len(self._board_of) > 8 * MAX_ENTRIES:
                self._board_of.clear()
            while len(self._pages) > MAX_ENTRIES or self.bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def _drop(self, key: tuple[str, str]) -> None:
        entry = self._pages.pop(key, None)
        if entry is None:
            return
        self.bytes -= len(entry.body)
        for dep in entry.deps.keys:
            keyed = self._by_key.get(dep)
            if keyed is not None:
                keyed.discard(key)
                if not keyed:
                    del self._by_key[dep]

    # --- writes -------------------------------------------------------------------------

    def wrote(self, writes: list[Write]) -> None:
        """A transaction committed these writes: purge here, and tell the other processes."""
        keys: set[str] = set()
        for write in writes:
            keys |= keys_of(write)
            if ALL in keys:
                keys = {ALL}
                break
        if keys:
            self.purge(keys)
            self.bus.publish(keys)

    def purge(self, keys: Iterable[str]) -> None:
        """Drop whatever depends on `keys`."""
        with self._lock:
            expanded = set(keys)
            for key in list(expanded):
                kind, _, value = key.partition(":")
                if kind == "thread":  # its board's pages list it
                    board = self._board_of.get(int(value))
                    expanded.add(f"listing:{board}" if board is not None else BOARD_PAGES)
                elif kind == "board":
                    expanded |= {BOARDS, f"listing:{value}"}
            self._log.add(frozenset(expanded))
            if ALL in expanded:
                self._pages.clear()
                self._by_key.clear()
                self._viewers.clear()
                self._tokens_of.clear()
                self._own.clear()
                self._board_of.clear()
                self.bytes = 0
                return
            if TOKENS in expanded:
                self._viewers.clear()
                self._tokens_of.clear()
            if VIEWERS in expanded:
                self._own.clear()
            for key in expanded:
                kind, _, value = key.partition(":")
                if kind == "viewer":
                    user_id = int(value)
                    self._own.pop(user_id, None)
                    for token_hash in self._tokens_of.pop(user_id, ()):
                        self._viewers.pop(token_hash, None)
                    continue
                for page in list(self._by_key.get(key, ())):
                    self._drop(page)


class PurgeBus:
    """Purge keys between processes: none for a single process."""

    def __init__(self) -> None:
        self.apply: Callable[[Iterable[str]], None] = lambda _keys: None

    def sync(self) -> bool:
        """Apply what other processes purged; False when that cannot be known."""
        return True

    def publish(self, keys: set[str]) -> None:
        """Tell the other processes."""


class RedisPurgeBus(PurgeBus):
    """Purge keys shared through a Redis stream: a writer appends its keys after it commits
    and before it answers; every cached request reads what was appended since its process
    last looked, and applies it before answering."""

    #: entries kept in the stream: far more than any process falls behind between requests
    MAXLEN = 100_000

    def __init__(self, client: redis.Redis, key: str) -> None:
        super().__init__()
        self.client = client
        self.key = key
        self.last: str | None = None
        self._lock = threading.Lock()

    def sync(self) -> bool:
        try:
            with self._lock:
                if self.last is None:
                    newest = self.client.xrevrange(self.key, count=1)
                    self.last = newest[0][0].decode() if newest else "0-0"
                    self.apply({ALL})  # what this process held before is unknown
                    return True
                while True:
                    found = self.client.xread({self.key: self.last}, count=1000)
                    if not found:
                        return True
                    entries = found[0][1]
                    for entry_id, fields in entries:
                        self.last = entry_id.decode()
                        self.apply(fields[b"k"].decode().split("\n"))
                    if len(entries) < 1000:
                        return True
        except redis.RedisError as exc:
            log.warning("page cache bypassed: cannot read the purge stream (%r)", exc)
            self.last = None  # start again from an empty cache when Redis answers
            return False

    def publish(self, keys: set[str]) -> None:
        try:
            self.client.xadd(self.key, {"k": "\n".join(sorted(keys))},
                             maxlen=self.MAXLEN, approximate=True)
        except redis.RedisError as exc:
            # Other processes cannot learn of this write: their entries may be stale for
            # up to FORUM_PAGE_CACHE_SECONDS. Say so; the write itself has committed.
            log.error("page cache: could not publish a purge (%r)", exc)


def read_gate() -> Any:
    """What a `reads` API view holds while it runs: a semaphore of FORUM_READ_CONCURRENCY
    places (0: no limit), so that a burst of readers cannot crowd out a writer.

    Under gevent every greenlet that waits on the database rejoins the loop's run queue when
    its answer arrives; with sixteen readers runnable, a reply's dozen round trips each wait
    behind all of them. With a few places, readers past them wait on the semaphore instead of
    in the run queue, and a writer's turn comes round sooner (see docs/performance.md)."""
    gate = current_app.extensions.get("forum.read_gate")
    return gate if gate is not None else nullcontext()


def page_cache() -> PageCache | None:
    """The app's cache, or None when it is turned off."""
    return current_app.extensions.get("forum.http.pagecache")


def init_app(app: Flask) -> None:
    """Create the cache (unless FORUM_PAGE_CACHE_SECONDS is 0) and have every committed write
    purge what it touched."""
    settings = app.config["FORUM"]
    places = int(settings.get("FORUM_READ_CONCURRENCY", 0))
    if places > 0:
        app.extensions["forum.read_gate"] = threading.BoundedSemaphore(places)
    seconds = int(settings.get("FORUM_PAGE_CACHE_SECONDS", 60))
    if seconds <= 0:
        return
    bus = PurgeBus()
    url = settings.get("FORUM_REDIS_URL")
    if url:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        # Under the deployment's Redis prefix, so two forums sharing a Redis stay apart.
        prefix = settings.get("FORUM_ROOM_STATE_PREFIX", "saheli:rooms:")
        bus = RedisPurgeBus(client, f"{prefix}page-purges")
    cache = PageCache(seconds, bus)
    app.extensions["forum.http.pagecache"] = cache
    app.extensions["forum.db"].after_write_commit.append(cache.wrote)
