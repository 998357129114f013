"""The `/rooms` Socket.IO namespace: join, leave, message and moderate, acknowledged exactly as
API.md says (`{"ok": true, ...}` or `{"ok": false, "error": {"code", "message"}}`).

Socket.IO handlers see neither `before_request` nor `login_required`, and an HTTP logout does
not close an open socket (DESIGN.md, failure notes). So:

- `connect` refuses anyone without a valid bearer token (`auth={"token": ...}` or an
  `Authorization` header) or browser session cookie;
- every event re-reads the token row and the account's sanctions in its own unit of work; a
  revoked token, a suspension or a ban answers the event with the error and cuts the socket;
- `forum.signals.account_restricted` disconnects all of the account's sockets, on every process
  (the sockets are found through the shared room state, and the disconnect travels through
  the message queue); `tokens_revoked` (sent after the commit of any token deletion) cuts the
  sockets of exactly those tokens, and `role_changed` all of the account's sockets, so they
  reconnect with the new role.

Every event is parse → load → service → commit → emit → acknowledge: a message is in the
database before anyone hears of it, so a client that reconnects and asks
`GET /rooms/{slug}/messages?after=ID` loses nothing, even if an emit was dropped.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import Flask, current_app, request
from flask import session as cookie_session
from flask_socketio import Namespace, SocketIO
from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from forum.db import Database, utcnow
from forum.errors import (
    Banned,
    DomainError,
    Invalid,
    NotFound,
    NotInRoom,
    RoomFull,
    Suspended,
    Unauthorized,
    Unavailable,
)
from forum.models.room import (
    Room,
    RoomBan,
    RoomMessage,
    RoomMessageStatus,
    RoomStatus,
    SupportRequest,
)
from forum.models.safety import Block, Sanction, SanctionKind
from forum.models.user import AuthToken, User
from forum.policy import Actor, Permission
from forum.policy import rooms as room_rules
from forum.realtime.state import RoomState
from forum.screening import installed_screener
from forum.services import accounts, rooms, support
from forum.signals import account_restricted, role_changed, tokens_revoked
from forum.standing import assert_may_sign_in

log = logging.getLogger(__name__)

NAMESPACE = "/rooms"
COUNSELLORS = "counsellors"


def room_channel(room_id: int) -> str:
    """The Socket.IO room of everyone in a support room."""
    return f"room:{room_id}"


def staff_channel(room_id: int) -> str:
    """The Socket.IO room of the host and moderators present in a support room."""
    return f"room:{room_id}:staff"


def user_channel(user_id: int) -> str:
    """The Socket.IO room of every socket of one account (on this process)."""
    return f"user:{user_id}"


@dataclass(frozen=True, slots=True)
class Connection:
    """Who a socket belongs to, and through which token or browser session."""

    user_id: int
    token_id: int


@dataclass
class _Work:
    """What one event must do after its commit (`effects`) or on rollback (`undo`)."""

    effects: list[Callable[[], None]] = field(default_factory=list)
    undo: list[Callable[[], None]] = field(default_factory=list)
    #: Read with the re-check of this event, in the same query: the kinds of the account's
    #: sanctions in force, the room the event names (None: no such room), whether a
    #: `RoomBan` keeps the account out of it, and whether any block involves the account.
    sanctions: frozenset[str] = frozenset()
    room: Room | None = None
    removed: bool = False
    has_blocks: bool = True


def error_ack(error: DomainError) -> dict[str, Any]:
    """A domain error as a refusal acknowledgement, with its extra fields (reasons,
    retry_after, errors) inside `error`."""
    body: dict[str, Any] = {"code": error.code, "message": error.detail}
    for key, value in error.extra.items():
        body.setdefault(key, value)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        body["retry_after"] = retry_after
    return {"ok": False, "error": body}


def _database() -> Database:
    return current_app.extensions["forum.db"]


def _state() -> RoomState:
    return current_app.extensions["forum.room_state"]


def _require_totp() -> bool:
    return bool(current_app.config["FORUM"]["FORUM_STAFF_REQUIRE_TOTP"])


def _credentials(auth: Any) -> tuple[str | None, str]:
    """The secret this connection presents: a token in `auth`, a bearer header, or the
    browser's session cookie (Flask-Login's `_user_id` is the session secret)."""
    if isinstance(auth, dict) and isinstance(auth.get("token"), str) and auth["token"]:
        return auth["token"], "bearer"
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), "bearer"
    secret = cookie_session.get("_user_id")
    if isinstance(secret, str) and secret:
        return secret, "session"
    return None, ""


def _room_slug(data: Any) -> str:
    if not isinstance(data, dict) or not isinstance(data.get("room"), str) or not data["room"]:
        raise Invalid({"room": ["Name the room (its slug)."]})
    return data["room"]


class People:
    """`{id, handle, role}` of every account with a socket on this process, kept from the
    connect and refreshed by each event's re-check, so a presence list or a join answer of
    a 500-member room costs no query (members connected through another process are read
    from the database, in one query, each time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shown: dict[int, dict[str, Any]] = {}
        self._sockets: dict[int, int] = {}

    def connected(self, user: User) -> None:
        with self._lock:
            self._sockets[user.id] = self._sockets.get(user.id, 0) + 1
            self._shown[user.id] = rooms.user_json(user)  # type: ignore[assignment]

    def refresh(self, user: User) -> None:
        with self._lock:
            if user.id in self._shown:
                self._shown[user.id] = rooms.user_json(user)  # type: ignore[assignment]

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
        with self._lock:
            found = {i: self._shown[i] for i in wanted if i in self._shown}
        missing = [i for i in wanted if i not in found]
        if missing:
            found.update(_load_shown(missing, session))
        return [found[i] for i in wanted if i in found]


def _load_shown(ids: list[int], session: Session | None) -> dict[int, dict[str, Any]]:
    query = select(User.id, User.handle, User.role).where(User.id.in_(ids))
    if session is not None:
        rows = session.execute(query).all()
    else:
        with _database().unit_of_work() as own:
            rows = own.execute(query).all()
    return {i: {"id": i, "handle": handle, "role": role} for i, handle, role in rows}


class PresenceCoalescer:
    """At most one `presence` per room per `interval` seconds from this process.

    A room filling up would otherwise cost O(n²): every join sends the whole member list to
    everyone already there. The first change in a quiet room is sent at once (leading edge);
    changes within `interval` of the last send are folded into one trailing send at the end
    of the window, whose list is read when it is sent, so the last `presence` a client hears
    always lists everyone present. `interval` 0 sends on every change.
    """

    def __init__(self, interval: float) -> None:
        self.interval = max(0.0, interval)
        self._lock = threading.Lock()
        self._sent: dict[int, float] = {}
        self._pending: set[int] = set()
        self.slugs: dict[int, str] = {}

    def claim(self, room_id: int, slug: str, now: float) -> float | None:
        """0: send now; a positive wait: send then (the caller schedules it); None: a send
        is already scheduled and will carry this change."""
        with self._lock:
            self.slugs[room_id] = slug
            if self.interval <= 0:
                return 0.0
            if room_id in self._pending:
                return None
            last = self._sent.get(room_id)
            if last is None or now - last >= self.interval:
                self._sent[room_id] = now
                if len(self._sent) > 1000:  # forget rooms quiet for a window
                    for key in [k for k, t in self._sent.items() if now - t >= self.interval]:
                        self._sent.pop(key, None)
                return 0.0
            self._pending.add(room_id)
            return last + self.interval - now

    def sending(self, room_id: int, now: float) -> None:
        """The scheduled send goes out now; later changes start a new window."""
        with self._lock:
            self._pending.discard(room_id)
            self._sent[room_id] = now

    def forget(self, room_id: int) -> None:
        with self._lock:
            self._sent.pop(room_id, None)
            self.slugs.pop(room_id, None)


def _recheck_query(*, with_room: bool) -> Any:
    """The event re-check (see `RoomsNamespace._recheck`), built once: parameters `user_id`,
    `token_id`, `now` and, `with_room`, `slug`."""
    now = bindparam("now")
    has_blocks = exists().where(
        or_(Block.blocker_id == User.id, Block.blocked_id == User.id)
    ).label("has_blocks")
    query = (
        select(User, AuthToken.expires_at, Sanction.kind, has_blocks)
        .join(AuthToken, and_(AuthToken.user_id == User.id,
                              AuthToken.id == bindparam("token_id")))
        .outerjoin(Sanction, and_(
            Sanction.user_id == User.id,
            Sanction.lifted_at.is_(None),
            Sanction.starts_at <= now,
            or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
        ))
        .where(User.id == bindparam("user_id"))
    )
    if with_room:
        query = (
            query.add_columns(Room, RoomBan.user_id)
            .outerjoin(Room, Room.slug == bindparam("slug"))
            .outerjoin(RoomBan, and_(RoomBan.room_id == Room.id, RoomBan.user_id == User.id))
        )
    return query


_RECHECK = _recheck_query(with_room=False)
_RECHECK_ROOM = _recheck_query(with_room=True)


def _people() -> People:
    return current_app.extensions["forum.people"]


def _presence() -> PresenceCoalescer:
    return current_app.extensions["forum.presence"]


def _skipped_sids(session: Session, state: RoomState, room: Room, message: RoomMessage,
                  *, has_blocks: bool = True) -> list[str]:
    """Sockets in the room whose person a block keeps from this message
    (`rooms.kept_apart`; `has_blocks` False: the caller knows no block involves the author)."""
    if not has_blocks:
        return []
    apart = rooms.kept_apart(session, room, message.author_id,
                             anonymous=message.is_anonymous, require_totp=_require_totp())
    if not apart:  # the common case: no member list needed at all
        return []
    sids: list[str] = []
    for user_id in sorted(apart & set(state.members(room.id))):
        sids.extend(sorted(state.sockets_in_room(room.id, user_id)))
    return sids


def _conceal(session: Session, room_id: int, slug: str, shown: list[dict[str, Any]]
             ) -> list[dict[str, Any]]:
    """A member list of the room of an offer, with the member it was made to shown only as
    "the person who wrote this" (`forum.services.support.offer`)."""
    hidden = support.concealed_member(session, room_id, slug)
    if hidden is None:
        return shown
    return [support.writer_shown() if m.get("id") == hidden else m for m in shown]


class RoomsNamespace(Namespace):
    """Class-based handlers (`on_<event>`) of the `/rooms` namespace."""

    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self._connections: dict[str, Connection] = {}
        self._heap_settled: set[str] = set()

    # --- plumbing -----------------------------------------------------------------------

    def _emit(self, event: str, data: Any, to: Any = None, skip_sid: Any = None) -> None:
        self.socketio.emit(event, data, namespace=self.namespace, to=to, skip_sid=skip_sid or None)

    def _recheck(self, session: Session, connection: Connection, work: _Work, data: Any
                 ) -> Actor:
        """The account behind the socket, read again: the token still there and unexpired,
        the account still there, no suspension or ban in force.

        One query per event: with the account it reads the kinds of its sanctions in force
        (a mute refuses messages later), whether any block involves it, and the room the
        event names with the account's `RoomBan` there, all into `work`.
        """
        now = utcnow()
        slug = data.get("room") if isinstance(data, dict) else None
        named = isinstance(slug, str) and bool(slug)
        params = {"user_id": connection.user_id, "token_id": connection.token_id, "now": now}
        if named:
            params["slug"] = slug
        rows = session.execute(_RECHECK_ROOM if named else _RECHECK, params).all()
        if not rows or rows[0][1] <= now:
            # Token revoked or expired, or the account erased (its tokens went with it).
            raise Unauthorized("Your session has ended; sign in again.")
        first = rows[0]
        user = first[0]
        kinds = frozenset(row[2] for row in rows if row[2] is not None)
        if SanctionKind.BAN in kinds:
            raise Banned("This account is banned.")
        if SanctionKind.SUSPEND in kinds:
            raise Suspended("This account is suspended for now.")
        work.sanctions = kinds
        work.has_blocks = bool(first[3])
        if named:
            work.room = first[4]
            work.removed = first[5] is not None
        _people().refresh(user)
        return Actor.of(user, require_totp=_require_totp())

    @staticmethod
    def _room(work: _Work, data: Any) -> Room:
        """The room the event names, read by the re-check: 422 without a slug, 404 when
        there is no such room."""
        _room_slug(data)
        if work.room is None:
            raise NotFound("No such room.")
        return work.room

    def _cut_off(self, sid: str) -> None:
        self.socketio.server.disconnect(sid, namespace=self.namespace)

    def _event(self, data: Any, handler: Callable[[Session, Actor, Any, _Work], dict[str, Any]]
               ) -> dict[str, Any]:
        """One event: a unit of work around the service call, effects after the commit."""
        sid = request.sid  # type: ignore[attr-defined]
        connection = self._connections.get(sid)
        if connection is None:
            return error_ack(Unauthorized("Connect again with your token."))
        work = _Work()
        try:
            with _database().unit_of_work() as session:
                actor = self._recheck(session, connection, work, data)
                answer = handler(session, actor, data, work)
        except (Unauthorized, Suspended, Banned) as exc:
            self._undo(work)
            self._cut_off(sid)
            return error_ack(exc)
        except DomainError as exc:
            self._undo(work)
            return error_ack(exc)
        except redis.RedisError as exc:
            # Room state lives in Redis: nothing was committed, so nothing is lost; say so.
            self._undo(work)
            log.error("room event refused: Redis unreachable (%r)", exc)
            return error_ack(Unavailable("Live rooms are briefly unavailable. Please try again "
                                         "in a moment; nothing you sent was lost."))
        except Exception:
            self._undo(work)
            log.exception("room event failed")
            return {"ok": False, "error": {"code": "internal_error",
                                           "message": "Something went wrong on our side."}}
        for effect in work.effects:
            try:
                effect()
            except Exception:  # noqa: BLE001 - the commit stands; clients re-sync on reconnect
                log.exception("room emit failed after commit")
        return {"ok": True, **answer}

    @staticmethod
    def _undo(work: _Work) -> None:
        for step in reversed(work.undo):
            try:
                step()
            except Exception:  # noqa: BLE001
                log.exception("undoing room state failed")

    def _presence_effect(self, room: Room) -> Callable[[], None]:
        room_id, slug = room.id, room.slug
        return lambda: self._presence_changed(room_id, slug)

    def _presence_changed(self, room_id: int, slug: str) -> None:
        """Someone joined or left: `presence` now, or folded into the window's trailing
        send (`PresenceCoalescer`)."""
        presence = _presence()
        wait = presence.claim(room_id, slug, time.monotonic())
        if wait is None:
            return
        if wait <= 0:
            self._send_presence(room_id, slug)
            return
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.socketio.start_background_task(self._trailing_presence, app, room_id, slug, wait)

    def _trailing_presence(self, app: Flask, room_id: int, slug: str, wait: float) -> None:
        self.socketio.sleep(wait)
        with app.app_context():
            _presence().sending(room_id, time.monotonic())
            try:
                self._send_presence(room_id, slug)
            except Exception:  # noqa: BLE001 - the next change sends the list again
                log.exception("presence update failed")

    def _send_presence(self, room_id: int, slug: str) -> None:
        """The member list as it is now, to everyone in the room: one broadcast, except for
        the few whose list a block changes (`rooms.presence_hidden`), who get their own."""
        state = _state()
        members = state.members(room_id)
        with _database().unit_of_work() as session:
            shown = _conceal(session, room_id, slug, _people().shown(members, session))
            hidden = rooms.presence_hidden(session, room_id, members,
                                           require_totp=_require_totp())
        own = {viewer: sorted(state.sockets_in_room(room_id, viewer)) for viewer in hidden}
        skip = [sid for sids in own.values() for sid in sids]
        self._emit("presence", {"room": slug, "members": shown}, to=room_channel(room_id),
                   skip_sid=skip)
        for viewer, sids in own.items():
            if sids:
                kept = [m for m in shown if m["id"] not in hidden[viewer]]
                self._emit("presence", {"room": slug, "members": kept}, to=sids)

    # --- connection ---------------------------------------------------------------------

    def on_connect(self, auth: Any = None) -> None:
        """Refuse anonymous connections; remember whose socket this is."""
        secret, kind = _credentials(auth)
        if secret is None:
            raise ConnectionRefusedError({"code": "unauthorized", "message": "Sign in first."})
        with _database().unit_of_work() as session:
            found = accounts.resolve_token(session, secret, kind)
            if found is None:
                raise ConnectionRefusedError(
                    {"code": "unauthorized", "message": "This token or session is not valid."}
                )
            user, token = found
            try:
                assert_may_sign_in(session, user)
            except DomainError as exc:
                raise ConnectionRefusedError({"code": exc.code, "message": exc.detail}) from None
            actor = Actor.of(user, require_totp=_require_totp())
            connection = Connection(user_id=user.id, token_id=token.id)
            is_counsellor = actor.can(Permission.SUPPORT_ACCEPT)
        sid = request.sid  # type: ignore[attr-defined]
        self._connections[sid] = connection
        _people().connected(user)
        _state().register_socket(sid, connection.user_id, connection.token_id)
        self.enter_room(sid, user_channel(connection.user_id))
        if is_counsellor:
            self.enter_room(sid, COUNSELLORS)
        self._settle_heap("connect")

    def on_disconnect(self, reason: Any = None) -> None:
        """Forget the socket; tell the rooms its person has fully left."""
        sid = request.sid  # type: ignore[attr-defined]
        connection = self._connections.pop(sid, None)
        state = _state()
        state.unregister_socket(sid)
        left = state.drop_socket(sid)
        if connection is not None:
            _people().disconnected(connection.user_id)
        if not left:
            return
        slugs = _presence().slugs
        unknown = [room_id for room_id in left if room_id not in slugs]
        if unknown:
            with _database().unit_of_work() as session:
                known = dict(session.execute(
                    select(Room.id, Room.slug).where(Room.id.in_(unknown))).tuples().all())
        else:
            known = {}
        for room_id in left:
            slug = slugs.get(room_id) or known.get(room_id)
            if slug is not None:
                self._presence_changed(room_id, slug)

    # --- events -------------------------------------------------------------------------

    def on_join(self, data: Any = None) -> dict[str, Any]:
        """`{room}` → `{ok, room, members, history}` (history: the last 50 messages)."""
        return self._event(data, self._join)

    def _join(self, session: Session, actor: Actor, data: Any, work: _Work) -> dict[str, Any]:
        sid = request.sid  # type: ignore[attr-defined]
        state = _state()
        room = self._room(work, data)
        room_rules.check_may_join(session, actor, room, state)
        user = actor.require_user()
        staff = room_rules.may_moderate(actor, room)
        already = room.id in state.rooms_of(sid)
        if not state.join(room.id, sid, user.id, 0 if staff else room.capacity):
            raise RoomFull(f"This room is full ({room.capacity} people).")
        if not already:
            work.undo.append(lambda: state.leave(room.id, sid))
        rooms.record_participant(session, room, user)
        support.joined_offer_room(session, room, user.id)  # she accepts an offer by joining
        members = state.members(room.id)
        if work.has_blocks:
            hidden = rooms.presence_hidden(session, room.id, members,
                                           require_totp=_require_totp()).get(user.id, set())
            members = [m for m in members if m not in hidden]
        answer = {
            "room": rooms.describe_room(session, room, state),
            "members": _conceal(session, room.id, room.slug,
                                _people().shown(members, session)),
            "history": rooms.history(session, actor, room),
        }
        work.effects.append(lambda: self.enter_room(sid, room_channel(room.id)))
        if staff:
            work.effects.append(lambda: self.enter_room(sid, staff_channel(room.id)))
        work.effects.append(self._presence_effect(room))
        return answer

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        """`{room}` → `{ok}`."""
        return self._event(data, self._leave)

    def _leave(self, session: Session, actor: Actor, data: Any, work: _Work) -> dict[str, Any]:
        sid = request.sid  # type: ignore[attr-defined]
        state = _state()
        room = self._room(work, data)
        if room.id not in state.rooms_of(sid):
            raise NotInRoom("You are not in this room.")
        gone = state.leave(room.id, sid)
        if gone:
            rooms.forget_participant(session, room, actor.require_user().id)
        work.effects.append(lambda: self.leave_room(sid, room_channel(room.id)))
        work.effects.append(lambda: self.leave_room(sid, staff_channel(room.id)))
        if gone:
            work.effects.append(self._presence_effect(room))
        return {}

    def on_message(self, data: Any = None) -> dict[str, Any]:
        """`{room, body, anonymous?}` → `{ok, message: {id, status}}`."""
        answer = self._event(data, self._message)
        self._settle_heap("message")
        return answer

    def _settle_heap(self, after: str) -> None:
        """Once per server process after its first connection, and again after its first
        room message: collect, then move everything alive out of the cyclic collector's
        reach (`gc.freeze`).

        By then the process holds what it keeps for life: the app and the moderation
        lexicons and detector (at the first connection), the compiled rules (at the first
        screening), ~170,000 objects. A fan-out keeps hundreds of packets queued across young
        collections, so full collections come every few seconds; each walked that whole heap
        (~100 ms measured: a pause every member felt, and on a process that only relays
        messages from Redis the whole of its p99). Frozen, they walk only what was made
        since. Only under gevent (`forum serve`): a test process builds many apps and must
        not freeze them.
        """
        if after in self._heap_settled:
            return
        self._heap_settled.add(after)
        if self.socketio.async_mode != "gevent":
            return
        gc.collect()
        gc.freeze()

    def _message(self, session: Session, actor: Actor, data: Any, work: _Work) -> dict[str, Any]:
        sid = request.sid  # type: ignore[attr-defined]
        state = _state()
        room = self._room(work, data)
        if room.id not in state.rooms_of(sid):
            raise NotInRoom("Join the room first.")
        anonymous = data.get("anonymous", False)
        if not isinstance(anonymous, bool):
            raise Invalid({"anonymous": ["true or false."]})
        if room.is_private and support.concealed_member(session, room) == actor.id:
            anonymous = True  # the room of an offer never names her to the counsellor
        sent = rooms.send_message(
            session, actor, installed_screener(), state, room,
            body=data.get("body"), anonymous=anonymous, now=time.time(),
            sanctions=work.sanctions, removed=work.removed,
        )
        self._deliver(session, state, room, sent.message, sent.author, work,
                      has_blocks=work.has_blocks)
        if sent.screening.is_crisis:
            payload = {"room": room.slug,
                       "message": rooms.message_json(sent.message, room, sent.author)}
            targets = [COUNSELLORS] + ([user_channel(room.host_id)] if room.host_id else [])
            work.effects.append(lambda: self._emit("crisis_alert", payload, to=targets))
        answer: dict[str, Any] = {
            "message": {"id": sent.message.id, "status": sent.message.status},
            "moderation": sent.screening.as_json(),
        }
        if sent.screening.is_crisis:
            answer["resources"] = list(sent.screening.resources)
            # Said plainly when nobody on duty can hear the alert live (README).
            answer["counsellor_online"] = support.staff_online(session, state)
        return answer

    def _deliver(self, session: Session, state: RoomState, room: Room, message: RoomMessage,
                 author: User | None, work: _Work, *, has_blocks: bool = True) -> None:
        """Queue the emit of a published message to the room (minus the people a block keeps
        from it), or of a held one to the host and moderators (`has_blocks` False: no block
        involves the author, as the event's re-check found)."""
        payload = rooms.message_json(message, room, author)
        skip = _skipped_sids(session, state, room, message, has_blocks=has_blocks)
        if message.status == RoomMessageStatus.PUBLISHED:
            work.effects.append(
                lambda: self._emit("message", payload, to=room_channel(room.id), skip_sid=skip)
            )
        elif message.status == RoomMessageStatus.PENDING:
            targets = [staff_channel(room.id)]
            if room.host_id is not None:
                targets.append(user_channel(room.host_id))
            held = {"room": room.slug, "message": payload}
            work.effects.append(
                lambda: self._emit("message_held", held, to=targets, skip_sid=skip)
            )

    def on_offer_support(self, data: Any = None) -> dict[str, Any]:
        """`{room, message}` (the room's host, counsellors) → `{ok, request}`: offers the
        message's writer a private conversation (`support_offered` to her sockets only).
        The answer names no one: the request is `about` "the person who wrote this"."""
        return self._event(data, self._offer_support)

    def _offer_support(self, session: Session, actor: Actor, data: Any, work: _Work
                       ) -> dict[str, Any]:
        room = self._room(work, data)
        if room.is_private and not actor.can(Permission.ROOM_MODERATE) \
                and actor.id != room.host_id:
            raise NotFound("No such room.")
        done = support.offer(session, actor, room, data.get("message"))
        if done.member_id is not None:
            offered = support.offered_json(session, done)
            member_channel = user_channel(done.member_id)
            work.effects.append(lambda: self._emit("support_offered", offered,
                                                   to=member_channel))
        return {"request": support.request_json(done.request)}

    def on_decline_support(self, data: Any = None) -> dict[str, Any]:
        """`{request}` (the member an offer reached) → `{ok, request}`: no, thank you."""
        return self._event(data, self._decline_support)

    def _decline_support(self, session: Session, actor: Actor, data: Any, work: _Work
                         ) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise Invalid({"request": ["Name the request (its id)."]})
        found = support.decline(session, actor, data.get("request"))
        answer = {"request": support.request_json(found)}
        if found.counsellor_id is not None:
            told = {"request": support.request_json(found)}
            channel = user_channel(found.counsellor_id)
            work.effects.append(lambda: self._emit("support_request", told, to=channel))
        return answer

    def on_moderate(self, data: Any = None) -> dict[str, Any]:
        """`{room, action, target?, seconds?}` (host, moderators) → `{ok}`."""
        return self._event(data, self._moderate)

    def _moderate(self, session: Session, actor: Actor, data: Any, work: _Work) -> dict[str, Any]:
        state = _state()
        room = self._room(work, data)
        if room.is_private and not actor.can(Permission.ROOM_MODERATE) and actor.id != room.host_id:
            raise NotFound("No such room.")
        done = rooms.moderate(
            session, actor, state, room,
            action=data.get("action"), target=data.get("target"), seconds=data.get("seconds"),
        )
        channel = room_channel(room.id)
        if done.action == "remove_message" and done.message is not None:
            removed = {"room": room.slug, "id": done.message.id}
            work.effects.append(lambda: self._emit("message_removed", removed, to=channel))
        elif done.action == "release" and done.message is not None:
            self._deliver(session, state, room, done.message, done.message_author, work)
        elif done.action == "kick" and done.user_id is not None:
            sids = sorted(state.sockets_in_room(room.id, done.user_id))
            for sid in sids:
                state.leave(room.id, sid)
            kicked = {"room": room.slug, "reason": "removed by the host"}

            def _out() -> None:
                for sid in sids:
                    self.leave_room(sid, channel)
                    self.leave_room(sid, staff_channel(room.id))
                if sids:
                    self._emit("kicked", kicked, to=sids)

            work.effects.append(_out)
            work.effects.append(self._presence_effect(room))
        if done.changed_room:
            work.effects.append(self._room_updated_effect(session, state, room))
        return {}

    def _room_updated_effect(self, session: Session, state: RoomState, room: Room
                             ) -> Callable[[], None]:
        """`room_updated` to the room (everyone, for a public room's status change); a
        closed room's channels are closed and its shared state forgotten."""
        payload = {"room": rooms.describe_room(session, room, state)}
        channel = room_channel(room.id)
        closed = room.status == RoomStatus.CLOSED
        everyone = not room.is_private

        def _effect() -> None:
            self._emit("room_updated", payload, to=None if everyone else channel)
            if closed:
                self.close_room(channel)
                self.close_room(staff_channel(room.id))
                state.clear_room(room.id)
                _presence().forget(room.id)

        return _effect

    # --- after-commit notifications from the HTTP side (see forum.services.rooms signals) ---

    def announce_room(self, room_id: int) -> None:
        """A room changed through the API (opened, closed): tell the clients."""
        state = _state()
        with _database().unit_of_work() as session:
            room = session.get(Room, room_id)
            if room is None:
                return
            effect = self._room_updated_effect(session, state, room)
        effect()

    def announce_support_request(self, request_id: int) -> None:
        """A member asked for private support: tell the connected counsellors."""
        with _database().unit_of_work() as session:
            found = session.get(SupportRequest, request_id)
            if found is None:
                return
            member = session.get(User, found.member_id)
            payload = {"request": support.request_json(found, member, utcnow())}
            apart = support.counsellors_kept_from(session, found, require_totp=_require_totp())
        state = _state()
        skip = sorted(sid for user_id in apart for sid in state.sockets_of(user_id))
        self._emit("support_request", payload, to=COUNSELLORS, skip_sid=skip)

    def announce_support_accepted(self, request_id: int) -> None:
        """A counsellor accepted: tell the member (and the other counsellors it is taken)."""
        with _database().unit_of_work() as session:
            found = session.get(SupportRequest, request_id)
            if found is None or found.room_id is None:
                return
            room = session.get(Room, found.room_id)
            if room is None:
                return
            payload = {
                "request": support.request_json(found),
                "room": rooms.describe_room(session, room, _state()),
            }
            member_id = found.member_id
            taken = {"request": support.request_json(found)}
        self._emit("support_accepted", payload, to=user_channel(member_id))
        self._emit("support_request", taken, to=COUNSELLORS)

    def disconnect_user(self, user_id: int) -> None:
        """Cut every socket of an account, on every process (through the message queue)."""
        for sid in sorted(_state().sockets_of(user_id)):
            self.socketio.server.disconnect(sid, namespace=self.namespace)

    def disconnect_tokens(self, token_ids: Iterable[int]) -> None:
        """Cut every socket signed in with one of these tokens, on every process."""
        state = _state()
        for token_id in token_ids:
            for sid in sorted(state.sockets_of_token(token_id)):
                self.socketio.server.disconnect(sid, namespace=self.namespace)


_NAMESPACE_INSTANCE: RoomsNamespace | None = None


def register(socketio: SocketIO) -> RoomsNamespace:
    """Register the namespace on the extension once (every later `init_app` re-attaches it)."""
    global _NAMESPACE_INSTANCE
    if _NAMESPACE_INSTANCE is None:
        _NAMESPACE_INSTANCE = RoomsNamespace(NAMESPACE)
        socketio.on_namespace(_NAMESPACE_INSTANCE)
    return _NAMESPACE_INSTANCE


def _namespace() -> RoomsNamespace | None:
    """The namespace, when the running app has realtime installed."""
    try:
        if "forum.room_state" not in current_app.extensions:
            return None
    except RuntimeError:  # no app context: nothing is connected here
        return None
    return _NAMESPACE_INSTANCE


def _on_account_restricted(user_id: Any, **extra: Any) -> None:
    """A mute changes nothing for open sockets (every message is re-checked); a suspension
    or ban cuts them now. The sanction may still roll back: then the member just reconnects."""
    if extra.get("kind") not in {"suspend", "ban"}:
        return
    namespace = _namespace()
    if namespace is not None and isinstance(user_id, int):
        namespace.disconnect_user(user_id)


def _on_tokens_revoked(user_id: Any, token_ids: Iterable[int] = (), **_extra: Any) -> None:
    """Tokens (or browser sessions) were deleted and the deletion committed, whatever the
    path (logout, `DELETE /me/sessions/{id}`, recovery, suspension, ban, erasure): their
    sockets stop hearing anything now, on every process. Other tokens' sockets stay."""
    namespace = _namespace()
    if namespace is not None:
        namespace.disconnect_tokens(token_ids)


def _on_role_changed(user_id: Any, **_extra: Any) -> None:
    """A committed role change: the account's sockets hold the old role's channels (the
    counsellors' support requests, the staff channel of rooms); cut them, so they
    reconnect with the new role."""
    namespace = _namespace()
    if namespace is not None and isinstance(user_id, int):
        namespace.disconnect_user(user_id)


def _on_room_changed(room_id: Any, **_extra: Any) -> None:
    namespace = _namespace()
    if namespace is not None:
        namespace.announce_room(int(room_id))


def _on_support_requested(request_id: Any, **_extra: Any) -> None:
    namespace = _namespace()
    if namespace is not None:
        namespace.announce_support_request(int(request_id))


def _on_support_accepted(request_id: Any, **_extra: Any) -> None:
    namespace = _namespace()
    if namespace is not None:
        namespace.announce_support_accepted(int(request_id))


# Module-level receivers, connected once (blinker keeps them strongly: they are functions
# of this module), each finding the running app through `current_app`.
account_restricted.connect(_on_account_restricted)
tokens_revoked.connect(_on_tokens_revoked)
role_changed.connect(_on_role_changed)
rooms.room_changed.connect(_on_room_changed)
rooms.support_requested.connect(_on_support_requested)
rooms.support_accepted.connect(_on_support_accepted)

__all__ = ["NAMESPACE", "RoomsNamespace", "error_ack", "register"]
