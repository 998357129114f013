"""The world builder of the metamorphic anonymity suite (issue #12, API.md "Blocks", DESIGN.md
"Privacy by construction").

A *world* is a fresh Saheli (a new app on a fresh, migrated database) with the same accounts
created in the same order, on which one sequence of actions is played. Two worlds are built
per example: in one the anonymous content is written by the suspect `x`, in the other by `y`;
every block relation of the sequence is with `x` in both. So the pair differs only in *who*
wrote the anonymous content, which is the same as saying it differs in whether the blocking
and the blocked observers blocked (or were blocked by) its true author. Every observer but a
moderator must see the two worlds byte for byte alike, once times, random tokens, CSRF tokens,
hashes over times and cookie values are normalised away. Ids are *not* normalised: the same
actions on two fresh databases give the same ids.

Everything an observer sees is recorded as `(channel, normalised value)` in
`World.observations[observer]`: the answers to her own actions (replies, reactions, reports,
moderation checks, socket acknowledgements, errors included), the Socket.IO events she received
after each step, and at the end a sweep over every channel in `CHANNELS` (JSON endpoints, pages,
the socket join acknowledgement). New channels are one decorated function each (`@channel`).
"""

from __future__ import annotations

import base64
import difflib
import json
import re
import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import create_engine, inspect, text

from forum import create_app
from tests.conftest import TEST_SETTINGS, Backend, new_database

NS = "/rooms"
PASSWORD = "correct horse battery staple 42"

#: The accounts of every world, created in this order: (name, handle, role). `x` and `y` are
#: the two suspects; the anonymous content is written by one of them (the "true author", `A`
#: in the action vocabulary). Every other account is an observer, or the moderator.
ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("x", "xara_k", "member"),
    ("y", "yusra_n", "member"),
    ("member", "mina_r", "member"),
    ("blocker", "bano_s", "member"),
    ("blocked", "dua_f", "member"),
    ("counsellor", "kiran_a", "counsellor"),
    ("host", "hina_t", "counsellor"),
    ("moderator", "maryam_q", "moderator"),
    # Shield mode (issue #17): a helper of the suspect `x`, once `shield_setup` ran.
    ("helper", "huma_z", "member"),
)

#: Who must not be able to tell the worlds apart. `visitor` is signed out. The shield helper
#: joins here when shield mode exists: add an account to ACCOUNTS, a setup step to
#: SETUP_HOOKS that makes her a helper of the account the anonymous replies answer, and her
#: name to this tuple.
OBSERVERS: tuple[str, ...] = ("visitor", "member", "blocker", "blocked", "counsellor", "host")

#: Observers who act (reply, react, report, check, join and leave the room).
ACTORS: tuple[str, ...] = ("member", "blocker", "blocked", "counsellor", "host")

#: Extra setup steps run on every world after the base setup (the shield helper's hook).
SETUP_HOOKS: list[Callable[[World], None]] = []

#: Observers when `x` has her shield on and `helper` helps with her tray (issue #17).
SHIELD_OBSERVERS: tuple[str, ...] = (*OBSERVERS, "helper")


def shield_setup(world: World) -> None:
    """`x` turns her shield on (holding both kinds) and `helper` becomes her helper. The
    anonymous replies of the vocabulary answer `x`'s named thread, so every one of them is
    held for her whoever wrote it; her own anonymous thread is not hers to the shield."""
    assert world.request("x", "PUT", "/me/shield", {"on": True, "days": 14}).status_code == 200
    invited = world.request("x", "POST", "/me/shield/helpers",
                            {"user_id": world.accounts["helper"].id})
    assert invited.status_code == 201, invited.get_json()
    invite = invited.get_json()["invite"]["id"]
    accepted = world.request("helper", "POST", f"/shield-invites/{invite}/accept")
    assert accepted.status_code == 200, accepted.get_json()

#: The block relations an action sequence may set, always with the suspect `x`: "blocker"
#: means `blocker` blocks `x`, "blocked" means `x` blocks `blocked`.
BLOCK_RELATIONS = ("blocker", "blocked")


# --- normalisation -----------------------------------------------------------------------

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
#: A time as the pages write it outside <time> (Babel's "medium" format, English).
SPOKEN_TIME = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d:\d\d\s?[AP]M")
HTML_TIME = re.compile(r"<time([^>]*)>.*?</time>", re.S)
#: The full local date and time a <time> element carries in its title (issue #19).
TIME_TITLE = re.compile(r' title="[^"]*"')
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")|(name="csrf-token" content=")[^"]*(")')
NONCE = re.compile(r"nonce-[A-Za-z0-9+/=_-]+|nonce=\"[^\"]*\"")
SHA256_HEX = re.compile(r"\b[0-9a-f]{64}\b")
#: Keys whose values are random or times by construction, whatever their shape.
RANDOM_KEYS = {"token", "recovery_codes", "secret", "otpauth_uri", "hash", "prev_hash", "head",
               "retry_after"}
#: Headers that carry times, cookies, lengths or nonces.
VOLATILE_HEADERS = {"date", "set-cookie", "content-length", "x-ratelimit-reset", "retry-after",
                    "etag", "last-modified", "expires"}


#: The keys every notification has (issue #16): its `id` is random, never a sequence.
NOTIFICATION_KEYS = {"id", "kind", "count", "read_at", "created_at"}


def normalise(value: Any) -> Any:
    """Times, random tokens and hashes over times replaced by placeholders; nothing else."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "id" and NOTIFICATION_KEYS <= set(value):
                out[key] = "<random notification id>"
            elif key in RANDOM_KEYS and item is not None:
                out[key] = f"<{key}>"
            elif key.endswith("_at") and isinstance(item, str):
                out[key] = "<time>"
            else:
                out[key] = normalise(item)
        return out
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    if isinstance(value, str):
        return normalise_text(value)
    return value


def normalise_text(text_: str) -> str:
    text_ = HTML_TIME.sub(lambda m: "<time" + TIME_TITLE.sub(' title="<time>"', ISO_TIME.sub(
        "<time>", m.group(1))) + "><time></time>", text_)
    text_ = ISO_TIME.sub("<time>", text_)
    text_ = SPOKEN_TIME.sub("<time>", text_)
    text_ = CSRF_VALUE.sub(lambda m: (m.group(1) or m.group(3)) + "<csrf>" + (m.group(2) or m.group(4)),
                           text_)
    text_ = NONCE.sub("<nonce>", text_)
    return SHA256_HEX.sub("<sha256>", text_)


def normalise_headers(headers: Any) -> list[tuple[str, str]]:
    out = []
    for name, value in headers.items():
        low = name.lower()
        if low in VOLATILE_HEADERS:
            out.append((low, "<volatile>"))
        else:
            out.append((low, normalise_text(value)))
    return sorted(out)


def http_observation(response: Any) -> dict[str, Any]:
    """A response as an observer sees it: status, headers and body, normalised."""
    body: Any
    if response.is_json:
        body = normalise(response.get_json())
    else:
        body = normalise_text(response.get_data(as_text=True))
    return {"status": response.status_code, "headers": normalise_headers(response.headers),
            "body": body}


def totp_secret(handle: str) -> str:
    """The second-factor secret of a staff account: fixed, so both worlds hold the same."""
    return base64.b32encode(handle.encode().ljust(20, b"0")[:20]).decode()


# --- databases ---------------------------------------------------------------------------


class WorldDatabases:
    """Hands out a fresh migrated database per world, cheaply: a copy of a migrated SQLite
    template file, or one PostgreSQL database emptied (identities restarted) between worlds,
    so ids start from 1 in every world."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        self.tmp = tmp
        self.template = new_database(kind, str(tmp))
        self._tables: list[str] | None = None
        self._sequences: list[str] = []
        self._last: str | None = None

    def fresh(self) -> str:
        if self.kind == "sqlite":
            if self._last is not None:
                Path(self._last.removeprefix("sqlite:///")).unlink(missing_ok=True)
            path = self.tmp / f"world-{uuid.uuid4().hex[:8]}.sqlite3"
            shutil.copyfile(self.template.removeprefix("sqlite:///"), path)
            self._last = f"sqlite:///{path}"
            return self._last
        engine = create_engine(self.template)
        try:
            with engine.begin() as conn:
                if self._tables is None:
                    self._tables = [t for t in inspect(conn).get_table_names()
                                    if t != "alembic_version"]
                    self._sequences = list(conn.scalars(text(
                        "SELECT sequence_name FROM information_schema.sequences "
                        "WHERE sequence_schema = 'public'")))
                # DELETE with the foreign-key triggers off is far quicker than TRUNCATE on
                # tables this small; the sequences restart so ids start from 1 again.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for table in self._tables:
                    conn.execute(text(f'DELETE FROM "{table}"'))
                for sequence in self._sequences:
                    conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        finally:
            engine.dispose()
        return self.template

    def close(self) -> None:
        if self.kind == "postgresql":
            from tests.conftest import _drop_postgres_database

            _drop_postgres_database(self.template)


@pytest.fixture(scope="module")
def world_databases(backend: Backend, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[WorldDatabases]:
    databases = WorldDatabases(backend.name, tmp_path_factory.mktemp(f"worlds-{backend.name}"))
    yield databases
    databases.close()


_SCREENERS: dict[str, Any] = {}


# --- the world -----------------------------------------------------------------------------


@dataclass
class Account:
    name: str
    handle: str
    role: str
    id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Refs:
    """What the actions made, by symbolic name (ids coincide between worlds)."""

    anon_threads: list[int] = field(default_factory=list)
    anon_openings: list[int] = field(default_factory=list)
    anon_replies: list[int] = field(default_factory=list)
    named_threads: list[int] = field(default_factory=list)
    named_openings: list[int] = field(default_factory=list)
    named_replies: list[int] = field(default_factory=list)
    anon_room_messages: list[int] = field(default_factory=list)
    named_room_messages: list[int] = field(default_factory=list)

    def last(self, kind: str) -> int | None:
        items = getattr(self, kind)
        return items[-1] if items else None

    @property
    def threads(self) -> list[int]:
        return sorted({*self.anon_threads, *self.named_threads})

    @property
    def anonymous_posts(self) -> list[int]:
        return [*self.anon_openings, *self.anon_replies]


class World:
    """One fresh forum with the suspect `author` ("x" or "y") as the true anonymous author."""

    def __init__(self, database_url: str, instance: Path, *, author: str,
                 settings: dict[str, Any] | None = None) -> None:
        from forum.realtime import socketio

        assert author in {"x", "y"}
        self.author = author
        self.socketio = socketio
        self.app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": str(instance),
                               "FORUM_DATABASE_URL": database_url,
                               "FORUM_ROOM_PRESENCE_INTERVAL": 0,
                               # Fixed windows restart on the minute, so two worlds would see
                               # different remaining counts if one crossed a minute boundary.
                               "RATELIMIT_STRATEGY": "moving-window", **(settings or {})})
        # The compiled filter depends only on the rules in the database (none, in a fresh
        # world), so every world shares one screener instead of compiling the lexicons again.
        shared = _SCREENERS.setdefault(type(self.app.extensions["forum.screener"]).__name__,
                                       self.app.extensions["forum.screener"])
        self.app.extensions["forum.screener"] = shared
        self.api = self.app.test_client()
        self.accounts: dict[str, Account] = {}
        self.refs = Refs()
        self.room = ""
        self.sockets: dict[str, Any] = {}
        self.in_room: set[str] = set()
        self.page_clients: dict[str, Any] = {}
        self.observations: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        self.step = 0

    # --- plumbing ------------------------------------------------------------------------

    def who(self, name: str) -> str:
        """`A` is the true author of the anonymous content; every other name is itself."""
        return self.author if name == "A" else name

    def account(self, name: str) -> Account | None:
        return self.accounts.get(self.who(name))

    def request(self, name: str, method: str, path: str, body: Any = None) -> Any:
        """A JSON API call as `name` (a bearer token; `visitor` sends none)."""
        account = self.account(name)
        headers = account.headers if account is not None else {}
        return self.api.open(f"/api/v1{path}", method=method, json=body, headers=headers)

    def record(self, observer: str, channel_name: str, value: Any) -> None:
        if observer in OBSERVERS or observer == "moderator":
            self.observations[observer].append((self._unslug(channel_name),
                                                self._unslug(value)))

    def _unslug(self, value: Any) -> Any:
        """The room's slug ends in random characters: the one random token ids do not cover."""
        if isinstance(value, str):
            return value.replace(self.room, "<room>") if self.room else value
        if isinstance(value, dict):
            return {k: self._unslug(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._unslug(v) for v in value]
        return value

    def act(self, name: str, label: str, method: str, path: str, body: Any = None) -> Any:
        """Do something through the API; the actor's answer is one of her observations."""
        response = self.request(name, method, path, body)
        self.record(name, f"json {label}: {method} {path}", http_observation(response))
        return response

    # --- setup ---------------------------------------------------------------------------

    def setup(self, initial_blocks: Sequence[str] = ()) -> World:
        """The accounts, a public board, an open room hosted by `host`, the suspect's named
        thread, the anonymous thread by `A`, everyone signed-in in the room, then the initial
        block relations (with `x`)."""
        import datetime as dt

        from forum.db import utcnow
        from forum.models.board import Board
        from forum.models.user import Role
        from forum.services import accounts

        with self.app.app_context(), self.app.extensions["forum.db"].unit_of_work() as session:
            made = []
            for name, handle, role in ACCOUNTS:
                user = accounts.create_account(session, handle=handle, password=PASSWORD,
                                               role=Role(role))
                if role != "member":
                    # Staff powers need a second factor; a fixed secret keeps worlds alike.
                    user.totp_secret = totp_secret(handle)
                    user.totp_enabled_at = utcnow()
                token, _row = accounts.issue_token(session, user, kind="bearer",
                                                   lifetime=dt.timedelta(days=1))
                made.append((name, user, token))
            session.add(Board(slug="talk", name="Talk", description="", visibility="public"))
            session.flush()
            for name, user, token in made:
                self.accounts[name] = Account(name, user.handle, user.role, user.id, token)
        created = self.request("host", "POST", "/rooms",
                               {"title": "Evening circle", "description": "A safe space."})
        assert created.status_code == 201, created.get_json()
        self.room = created.get_json()["room"]["slug"]
        assert self.request("host", "POST", f"/rooms/{self.room}/open").status_code == 200
        self.named_thread("x")
        self.anonymous_thread()
        for name, _handle, _role in ACCOUNTS:
            self.connect(name)
        for name, _handle, _role in ACCOUNTS:
            self.join(name)
        for relation in initial_blocks:
            self.block(relation)
        for hook in SETUP_HOOKS:
            hook(self)
        self.drain("setup")
        return self

    def named_thread(self, name: str) -> None:
        done = self.request(name, "POST", "/boards/talk/threads",
                            {"title": "How do I make my profile private?",
                             "body": "My cousin keeps finding my accounts. What settings help?"})
        assert done.status_code == 201, done.get_json()
        self.refs.named_threads.append(done.get_json()["thread"]["id"])
        self.refs.named_openings.append(done.get_json()["post"]["id"])

    def anonymous_thread(self) -> None:
        n = len(self.refs.anon_threads) + 1
        done = self.request("A", "POST", "/boards/talk/threads", {
            "title": f"Someone from my office is messaging me ({n})",
            "body": f"He writes every night from new accounts. I feel watched. Part {n}.",
            "anonymous": True})
        if done.status_code == 201:
            self.refs.anon_threads.append(done.get_json()["thread"]["id"])
            self.refs.anon_openings.append(done.get_json()["post"]["id"])

    # --- sockets -------------------------------------------------------------------------

    def connect(self, name: str) -> None:
        account = self.account(name)
        assert account is not None
        sc = self.socketio.test_client(self.app, namespace=NS, auth={"token": account.token})
        assert sc.is_connected(NS), f"{name} could not connect"
        self.sockets[name] = sc

    def emit(self, name: str, event: str, data: Any) -> Any:
        """Emit as `name`; her acknowledgement is one of her observations."""
        real = self.who(name)
        ack = self.sockets[real].emit(event, data, namespace=NS, callback=True)
        self.record(real, f"socket ack {event}", normalise(ack))
        return ack

    def join(self, name: str) -> Any:
        ack = self.emit(name, "join", {"room": self.room})
        if isinstance(ack, dict) and ack.get("ok"):
            self.in_room.add(self.who(name))
        return ack

    def leave(self, name: str) -> Any:
        ack = self.emit(name, "leave", {"room": self.room})
        self.in_room.discard(self.who(name))
        return ack

    def drain(self, label: str) -> None:
        """Record every socket event each observer received since the last step."""
        for name, sc in self.sockets.items():
            received = [{"name": r["name"], "args": r["args"]} for r in sc.get_received(NS)]
            if received:
                self.record(name, f"socket events after {label}", normalise(received))

    # --- actions (the vocabulary hypothesis draws from) ----------------------------------

    def block(self, relation: str) -> None:
        if relation == "blocker":
            self.act("blocker", "block x", "POST", "/blocks", {"user_id": self.accounts["x"].id})
        else:
            self.request("x", "POST", "/blocks", {"user_id": self.accounts["blocked"].id})

    def unblock(self, relation: str) -> None:
        if relation == "blocker":
            self.act("blocker", "unblock x", "DELETE", f"/blocks/{self.accounts['x'].id}")
        else:
            self.request("x", "DELETE", f"/blocks/{self.accounts['blocked'].id}")

    def post_target(self, target: str) -> int | None:
        return {
            "anon_opening": self.refs.last("anon_openings"),
            "anon_reply": self.refs.last("anon_replies"),
            "named_opening": self.refs.last("named_openings"),
            "named_reply": self.refs.last("named_replies"),
        }[target]

    def thread_target(self, target: str) -> int | None:
        return self.refs.last("anon_threads" if target == "anon_thread" else "named_threads")

    def reply(self, name: str, target: str, *, anonymous: bool, body: str) -> Any:
        thread_id = self.thread_target(target)
        if thread_id is None:
            return None
        response = self.act(name, "reply", "POST", f"/threads/{thread_id}/posts",
                            {"body": body, "anonymous": anonymous})
        if response.status_code == 201:
            kind = "anon_replies" if anonymous else "named_replies"
            getattr(self.refs, kind).append(response.get_json()["post"]["id"])
        return response

    def helper_decides(self, action: str) -> None:
        """Her helper decides the oldest item of `x`'s tray (blocking, when she rejects)."""
        owner = self.accounts["x"].id
        tray = self.act("helper", "tray", "GET", f"/users/{owner}/shield/held")
        items = (tray.get_json() or {}).get("items") or []
        if tray.status_code == 200 and items:
            self.act("helper", action, "POST",
                     f"/users/{owner}/shield/held/{items[-1]['post']['id']}/{action}",
                     {"block": action == "reject"})

    def run(self, action: tuple[Any, ...]) -> None:
        """Play one action, then record the socket events it caused."""
        self.step += 1
        kind, *args = action
        n = self.step
        if kind == "anon_thread":
            self.anonymous_thread()
        elif kind == "anon_reply":
            self.reply("A", args[0], anonymous=True,
                       body=f"It happened to me too, step {n}. Keep screenshots.")
        elif kind == "named_reply":
            self.reply(args[0], args[1], anonymous=False,
                       body=f"You are not alone, step {n}. We are here with you.")
        elif kind == "react":
            post_id = self.post_target(args[1])
            if post_id is not None:
                self.act(args[0], "react", "POST", f"/posts/{post_id}/reactions",
                         {"kind": "support"})
        elif kind == "report":
            who, target, outcome = args
            if target.endswith("room_message"):
                kind_ = "anon_room_messages" if target.startswith("anon") else "named_room_messages"
                target_id, target_type = self.refs.last(kind_), "room_message"
            else:
                target_id, target_type = self.post_target(target), "post"
            if target_id is not None:
                body = {"target_type": target_type, "target_id": target_id,
                        "reason": "harassment", "note": f"report at step {n}"}
                if outcome is not None:
                    body["desired_outcome"] = outcome
                self.act(who, "report", "POST", "/reports", body)
        elif kind == "block":
            self.block(args[0])
        elif kind == "unblock":
            self.unblock(args[0])
        elif kind == "room_anon":
            if self.who("A") in self.in_room:
                ack = self.emit("A", "message", {"room": self.room, "anonymous": True,
                                                 "body": f"I am scared to say who I am ({n})."})
                if isinstance(ack, dict) and ack.get("ok"):
                    self.refs.anon_room_messages.append(ack["message"]["id"])
        elif kind == "room_named":
            if "x" in self.in_room:
                ack = self.emit("x", "message", {"room": self.room,
                                                 "body": f"Hello everyone, step {n}."})
                if isinstance(ack, dict) and ack.get("ok"):
                    self.refs.named_room_messages.append(ack["message"]["id"])
        elif kind == "leave":
            if args[0] in self.in_room:
                self.leave(args[0])
        elif kind == "join":
            if args[0] not in self.in_room:
                self.join(args[0])
        elif kind == "check":
            self.act(args[0], "check", "POST", "/moderation/check",
                     {"text": f"Reply number {n} to the thread, with kindness."})
        elif kind in {"helper_release", "helper_reject"}:
            self.helper_decides(kind.removeprefix("helper_"))
        elif kind == "reply_burst":
            # The reply-flood detector: several replies in the anonymous thread, then one in
            # the suspect's named thread; the answer must not depend on who wrote the former.
            for i in range(5):
                self.reply(args[0], "anon_thread", anonymous=False,
                           body=f"Burst {n}.{i}: reply {'again ' * i}to you.")
            self.reply(args[0], "named_thread", anonymous=False,
                       body=f"Burst {n}: and a word here as well.")
        else:  # pragma: no cover - the vocabulary and this switch are kept together
            raise AssertionError(f"unknown action {action!r}")
        self.drain(f"step {n} {kind}")

    def play(self, actions: Sequence[tuple[Any, ...]]) -> World:
        for action in actions:
            self.run(action)
        return self

    # --- the final sweep -----------------------------------------------------------------

    def page_client(self, name: str) -> Any:
        """A browser for `name`, signed in through the login form on first use."""
        if name not in self.page_clients:
            browser = self.app.test_client()
            account = self.account(name)
            if account is not None:
                page = browser.get("/login").get_data(as_text=True)
                token = re.search(r'name="csrf_token" value="([^"]+)"', page)
                assert token, "the login page has no CSRF token"
                form = {"csrf_token": token.group(1), "handle": account.handle,
                        "password": PASSWORD}
                if account.role != "member":
                    form["totp"] = pyotp.TOTP(totp_secret(account.handle)).now()
                done = browser.post("/login", data=form)
                assert done.status_code == 302, done.get_data(as_text=True)[:500]
            self.page_clients[name] = browser
        return self.page_clients[name]

    def sweep(self, observers: Sequence[str] = OBSERVERS, kinds: Sequence[str] | None = None
              ) -> World:
        """Every registered channel, for every observer, in a fixed order."""
        for observer in observers:
            for chan in CHANNELS:
                if kinds is not None and chan.kind not in kinds:
                    continue
                if chan.signed_in and observer == "visitor":
                    continue
                for label, value in chan.observe(self, observer):
                    self.record(observer, f"{chan.kind} {label}", value)
            self.drain(f"sweep of {observer}")
        return self

    def close(self) -> None:
        for sc in self.sockets.values():
            if sc.is_connected(NS):
                sc.disconnect(namespace=NS)
        state = self.app.extensions.get("forum.room_state")
        if hasattr(state, "close"):
            state.close()
        self.app.extensions["forum.db"].engine.dispose()


# --- the channel registry -----------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    """One way an observer can look: `observe(world, observer)` yields (label, value)."""

    name: str
    kind: str
    observe: Callable[[World, str], Iterator[tuple[str, Any]]]
    signed_in: bool = False


CHANNELS: list[Channel] = []


def channel(name: str, *, kind: str, signed_in: bool = False
            ) -> Callable[[Callable[[World, str], Iterator[tuple[str, Any]]]],
                          Callable[[World, str], Iterator[tuple[str, Any]]]]:
    """Register an observation function; the sweep calls it for every observer."""

    def register(fn: Callable[[World, str], Iterator[tuple[str, Any]]]
                 ) -> Callable[[World, str], Iterator[tuple[str, Any]]]:
        CHANNELS.append(Channel(name, kind, fn, signed_in))
        return fn

    return register


def _get(world: World, observer: str, path: str) -> tuple[str, Any]:
    return f"GET {path}", http_observation(world.request(observer, "GET", path))


def _page(world: World, observer: str, path: str) -> tuple[str, Any]:
    return f"GET {path}", http_observation(world.page_client(observer).get(path))


@channel("boards and threads", kind="json")
def _boards_and_threads(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    yield _get(world, observer, "/boards")
    yield _get(world, observer, "/boards/talk/threads")
    for thread_id in world.refs.threads:
        yield _get(world, observer, f"/threads/{thread_id}")


@channel("room history", kind="json", signed_in=True)
def _room_history(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    yield _get(world, observer, f"/rooms/{world.room}/messages")
    yield _get(world, observer, "/rooms")


@channel("own records", kind="json", signed_in=True)
def _own_records(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    for path in ("/me", "/blocks", "/me/export", "/me/evidence", "/reports/mine"):
        yield _get(world, observer, path)


@channel("notifications", kind="json", signed_in=True)
def _notifications(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    """What she was told (issue #16): the list, the badge's count and her settings. The
    live `notification` events are in the socket events recorded after every step."""
    for path in ("/notifications", "/notifications?unread=true", "/notifications/unread-count",
                 "/me/notification-settings"):
        yield _get(world, observer, path)


@channel("shield", kind="json", signed_in=True)
def _shield(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    """Her own shield and tray, the invitations she has, and the suspect's tray (her
    helper's view; 404 to everyone else) (issue #17)."""
    for path in ("/me/shield", "/me/shield/held", "/me/shield/helping", "/me/shield/activity",
                 f"/users/{world.accounts['x'].id}/shield/held"):
        yield _get(world, observer, path)


@channel("moderation check", kind="json", signed_in=True)
def _moderation_check(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    response = world.request(observer, "POST", "/moderation/check",
                             {"text": "Thinking of replying to the suspect's thread now."})
    yield "POST /moderation/check", http_observation(response)


@channel("reply and react to anonymous content", kind="json")
def _interactions(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    """Write probes, last: replying to and reacting to every anonymous post (and the reply
    to it), errors included. The visitor's answers are the 401s."""
    answers = world.refs.named_replies[-1:]
    for post_id in [*world.refs.anonymous_posts, *answers]:
        response = world.request(observer, "POST", f"/posts/{post_id}/reactions",
                                 {"kind": "support"})
        yield f"POST /posts/{post_id}/reactions", http_observation(response)
    for thread_id in world.refs.anon_threads:
        replied_to = world.refs.last("anon_replies") or world.refs.anon_openings[0]
        response = world.request(observer, "POST", f"/threads/{thread_id}/posts",
                                 {"body": f"Sending you strength, from the {observer}.",
                                  "reply_to": replied_to})
        yield f"POST /threads/{thread_id}/posts", http_observation(response)


@channel("hide the anonymous thread from me", kind="json")
def _hide_from_me(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    """A report asking to hide the anonymous opening post, then what it left behind: it
    must block no one (API.md, "Blocks")."""
    post_id = world.refs.anon_openings[0]
    response = world.request(observer, "POST", "/reports", {
        "target_type": "post", "target_id": post_id, "reason": "other",
        "desired_outcome": "hide_from_me", "note": f"probe by the {observer}"})
    yield f"POST /reports hide_from_me on post {post_id}", http_observation(response)
    if observer != "visitor":
        yield _get(world, observer, "/blocks")
        yield _get(world, observer, "/me/export")


@channel("pages", kind="page")
def _pages(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    yield _page(world, observer, "/")
    yield _page(world, observer, "/boards/talk")
    for thread_id in world.refs.threads:
        yield _page(world, observer, f"/threads/{thread_id}")
    yield _page(world, observer, "/account")
    yield _page(world, observer, "/account/reports")
    yield _page(world, observer, f"/rooms/{world.room}")
    for post_id in world.refs.anonymous_posts:
        yield _page(world, observer, f"/posts/{post_id}/report")
    for message_id in world.refs.anon_room_messages:
        yield _page(world, observer, f"/room-messages/{message_id}/report")


@channel("support tap on a page", kind="page", signed_in=True)
def _support_taps(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    """The page's Support tap as `static/js/support.js` sends it (form, CSRF token,
    `Accept: application/json`) on every anonymous post, last: the count or the refusal must
    not depend on who wrote it (issue #19)."""
    browser = world.page_client(observer)
    for post_id in world.refs.anonymous_posts:
        thread = browser.get("/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', thread)
        assert token, "no CSRF token on the page"
        answer = browser.post(f"/posts/{post_id}/support", data={"csrf_token": token.group(1)},
                              headers={"Accept": "application/json"})
        yield f"POST /posts/{post_id}/support (page, JSON)", http_observation(answer)


@channel("room join", kind="socket", signed_in=True)
def _room_join(world: World, observer: str) -> Iterator[tuple[str, Any]]:
    """A fresh join acknowledgement (members and history) after leaving, if she was in."""
    if observer in world.in_room:
        world.leave(observer)
    ack = world.sockets[observer].emit("join", {"room": world.room}, namespace=NS, callback=True)
    if isinstance(ack, dict) and ack.get("ok"):
        world.in_room.add(observer)
    yield "join ack", normalise(ack)
    ack = world.sockets[observer].emit("offer_support", {
        "room": world.room, "message": world.refs.last("anon_room_messages")},
        namespace=NS, callback=True)
    yield "offer_support ack", normalise(ack)


# --- comparing two worlds --------------------------------------------------------------------


def differences(a: World, b: World, observers: Sequence[str] = OBSERVERS,
                kinds: Sequence[str] | None = None) -> list[tuple[str, str, Any, Any]]:
    """(observer, channel, value in a, value in b) for every observation that differs
    (only of channels of `kinds`, when given: "json", "page", "socket")."""
    found = []

    def of_kinds(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        if kinds is None:
            return items
        return [item for item in items if item[0].split(" ", 1)[0] in kinds]

    def keyed(items: list[tuple[str, Any]]) -> dict[tuple[str, int], Any]:
        # The n-th observation of each channel, so one extra event batch in one world is
        # reported as itself instead of shifting every later comparison.
        seen: dict[str, int] = defaultdict(int)
        out = {}
        for label, value in items:
            seen[label] += 1
            out[(label, seen[label])] = value
        return out

    for observer in observers:
        left = keyed(of_kinds(a.observations.get(observer, [])))
        right = keyed(of_kinds(b.observations.get(observer, [])))
        for key in [*left, *(k for k in right if k not in left)]:
            la, rb = left.get(key, "<nothing>"), right.get(key, "<nothing>")
            if la != rb:
                label = key[0] if key[1] == 1 else f"{key[0]} (#{key[1]})"
                found.append((observer, label, la, rb))
    return found


def where_they_differ(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """The innermost places where two observations differ, as (path, a, b)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in [*a, *(k for k in b if k not in a)]:
            out += where_they_differ(a.get(key, "<absent>"), b.get(key, "<absent>"),
                                     f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        # Align the two lists (an event stream missing one message is one difference, not
        # a shift of everything after it).
        ja = [json.dumps(x, sort_keys=True, default=str) for x in a]
        jb = [json.dumps(x, sort_keys=True, default=str) for x in b]
        out = []
        matcher = difflib.SequenceMatcher(a=ja, b=jb, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                for k in range(i2 - i1):
                    out += where_they_differ(a[i1 + k], b[j1 + k], f"{path}[{i1 + k}]")
            else:
                out.append((f"{path}[{i1}:{i2}] vs {path}[{j1}:{j2}]", a[i1:i2], b[j1:j2]))
        return out
    if a == b:
        return []
    if isinstance(a, str) and isinstance(b, str) and len(a) > 300:
        # Pages: show the stretch where the two texts part.
        start = 0
        while start < min(len(a), len(b)) and a[start] == b[start]:
            start += 1
        start = max(0, start - 120)
        return [(f"{path} (from character {start})", a[start:start + 400], b[start:start + 400])]
    return [(path or "(whole)", a, b)]


def describe(diffs: Sequence[tuple[str, str, Any, Any]], *, limit: int = 15,
             width: int = 600) -> str:
    """A readable account of the differences: who, which channel, where in the answer, and
    the two values."""
    lines = [f"{len(diffs)} observation(s) differ between the world where x wrote the "
             f"anonymous content and the world where y did (every block is with x):"]
    for observer, label, left, right in diffs[:limit]:
        lines.append(f"- observer {observer!r}, channel {label!r}:")
        places = where_they_differ(left, right)
        for path, a, b in places[:6]:
            ja = json.dumps(a, sort_keys=True, ensure_ascii=False, default=str)[:width]
            jb = json.dumps(b, sort_keys=True, ensure_ascii=False, default=str)[:width]
            lines.append(f"    at {path}:\n      author x: {ja}\n      author y: {jb}")
        if len(places) > 6:
            lines.append(f"    ... and {len(places) - 6} more places")
    if len(diffs) > limit:
        lines.append(f"... and {len(diffs) - limit} more observation(s)")
    return "\n".join(lines)


@dataclass
class WorldPair:
    """Builds, plays and sweeps the two worlds of one example, closing them afterwards."""

    databases: WorldDatabases
    tmp: Path

    def build(self, author: str, actions: Sequence[tuple[Any, ...]],
              initial_blocks: Sequence[str] = (), kinds: Sequence[str] | None = None,
              observers: Sequence[str] = OBSERVERS) -> World:
        world = World(self.databases.fresh(), self.tmp, author=author)
        try:
            world.setup(initial_blocks).play(actions).sweep(observers, kinds)
        finally:
            world.close()
        return world

    def compare(self, actions: Sequence[tuple[Any, ...]], initial_blocks: Sequence[str] = (),
                kinds: Sequence[str] | None = None, observers: Sequence[str] = OBSERVERS,
                *, authors: tuple[str, str] = ("x", "y")) -> list[tuple[str, str, Any, Any]]:
        a = self.build(authors[0], actions, initial_blocks, kinds, observers)
        b = self.build(authors[1], actions, initial_blocks, kinds, observers)
        return differences(a, b, observers, kinds)


@pytest.fixture(scope="module")
def worlds(world_databases: WorldDatabases, tmp_path_factory: pytest.TempPathFactory
           ) -> WorldPair:
    return WorldPair(world_databases, tmp_path_factory.mktemp("instance"))


# --- the action vocabulary, for hypothesis -----------------------------------------------------


def action_strategy() -> Any:
    """One action of the vocabulary `World.run` plays (`A` is the true author)."""
    from hypothesis import strategies as st

    actor = st.sampled_from(ACTORS)
    posts = st.sampled_from(("anon_opening", "anon_reply", "named_opening", "named_reply"))
    threads = st.sampled_from(("anon_thread", "named_thread"))
    outcomes = st.sampled_from((None, "hide_from_me", "warn", "remove", "ban", "help_me_report"))
    reportable = st.one_of(posts, st.sampled_from(("anon_room_message", "named_room_message")))
    return st.one_of(
        st.just(("anon_thread",)),
        st.tuples(st.just("anon_reply"), threads),
        st.tuples(st.just("named_reply"), st.sampled_from((*ACTORS, "x")), threads),
        st.tuples(st.just("react"), actor, posts),
        st.tuples(st.just("report"), actor, reportable, outcomes),
        st.tuples(st.sampled_from(("block", "unblock")), st.sampled_from(BLOCK_RELATIONS)),
        st.just(("room_anon",)),
        st.just(("room_named",)),
        st.tuples(st.sampled_from(("leave", "join")), actor),
        st.tuples(st.just("check"), actor),
        st.tuples(st.just("reply_burst"), actor),
    )


def action_sequences(max_size: int = 7) -> Any:
    from hypothesis import strategies as st

    return st.lists(action_strategy(), min_size=1, max_size=max_size)


def initial_block_sets() -> Any:
    """Which block relations with `x` hold from the start (often both, so every example
    also asks whether a block touches the anonymous content)."""
    from hypothesis import strategies as st

    return st.one_of(st.just(BLOCK_RELATIONS), st.lists(st.sampled_from(BLOCK_RELATIONS),
                                                         unique=True, max_size=2))


def hypothesis_settings(max_examples: int) -> Any:
    """Modest, deterministic runs that fit in `make test`; no shrinking (each example builds
    two worlds, and the failing sequence is short enough to read as it is)."""
    from hypothesis import HealthCheck, Phase, settings

    return settings(max_examples=max_examples, deadline=None, derandomize=True,
                    database=None, phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=(HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large))
