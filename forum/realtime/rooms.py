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
  the message queue).

Every event is parse → load → service → commit → emit → acknowledge: a message is in the
database before anyone hears of it, so a client that reconnects and asks
`GET /rooms/{slug}/messages?after=ID` loses nothing, even if an emit was dropped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import current_app, request
from flask import session as cookie_session
from flask_socketio import Namespace, SocketIO
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.db import Database, utcnow
from forum.errors import (
    Banned,
    DomainError,
    Invalid,
    NotFound,
    Suspended,
    Unauthorized,
    Unavailable,
)
from forum.models.room import Room, RoomMessage, RoomMessageStatus, RoomStatus, SupportRequest
from forum.models.user import AuthToken, User
from forum.policy import Actor, Permission
from forum.realtime.state import RoomState
from forum.screening import installed_screener
from forum.services import accounts, rooms, support
from forum.signals import account_restricted, account_signed_out
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


def _members_json(session: Session, state: RoomState, room_id: int) -> list[dict[str, Any]]:
    ids = state.members(room_id)
    if not ids:
        return []
    users = session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id))
    return [rooms.user_json(u) for u in users]  # type: ignore[misc]


def _skipped_sids(session: Session, state: RoomState, room_id: int, author_id: int | None) -> list[str]:
    """Sockets in the room whose person blocked the author or was blocked by her."""
    others = rooms.blocks_of(session, author_id)
    if not others:  # the common case: no member list needed at all
        return []
    blocked = others & set(state.members(room_id))
    sids: list[str] = []
    for user_id in sorted(blocked):
        sids.extend(sorted(state.sockets_in_room(room_id, user_id)))
    return sids


class RoomsNamespace(Namespace):
    """Class-based handlers (`on_<event>`) of the `/rooms` namespace."""

    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self._connections: dict[str, Connection] = {}

    # --- plumbing -----------------------------------------------------------------------

    def _emit(self, event: str, data: Any, to: Any = None, skip_sid: Any = None) -> None:
        self.socketio.emit(event, data, namespace=self.namespace, to=to, skip_sid=skip_sid or None)

    def _recheck(self, session: Session, connection: Connection) -> Actor:
        """The account behind the socket, read again: token alive, no suspension or ban."""
        token = session.get(AuthToken, connection.token_id)
        if token is None or token.user_id != connection.user_id or token.expires_at <= utcnow():
            raise Unauthorized("Your session has ended; sign in again.")
        user = session.get(User, connection.user_id)
        if user is None:
            raise Unauthorized("This account no longer exists.")
        assert_may_sign_in(session, user)
        return Actor.of(user, require_totp=_require_totp())

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
                actor = self._recheck(session, connection)
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

    def _presence_effect(self, session: Session, room: Room) -> Callable[[], None]:
        payload = {"room": room.slug, "members": _members_json(session, _state(), room.id)}
        return lambda: self._emit("presence", payload, to=room_channel(room.id))

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
        _state().register_socket(sid, connection.user_id)
        self.enter_room(sid, user_channel(connection.user_id))
        if is_counsellor:
            self.enter_room(sid, COUNSELLORS)

    def on_disconnect(self, reason: Any = None) -> None:
        """Forget the socket; tell the rooms its person has fully left."""
        sid = request.sid  # type: ignore[attr-defined]
        self._connections.pop(sid, None)
        state = _state()
        state.unregister_socket(sid)
        left = state.drop_socket(sid)
        if not left:
            return
        effects = []
        with _database().unit_of_work() as session:
            for room_id in left:
                room = session.get(Room, room_id)
                if room is not None:
                    effects.append(self._presence_effect(session, room))
        for effect in effects:
            effect()

    # --- events -------------------------------------------------------------------------

    def on_join(self, data: Any = None) -> dict[str, Any]:
        """`{room}` → `{ok, room, members, history}` (history: the last 50 messages)."""
        return self._event(data, self._join)

    def _join(self, session: Session, actor: Actor, data: Any, work: _Work) -> dict[str, Any]:
        sid = request.sid  # type: ignore[attr-defined]
        state = _state()
        room = rooms.load_room(session, _room_slug(data))
        rooms.check_may_join(session, actor, room, state)
        user = actor.require_user()
        staff = rooms.may_moderate(actor, room)
        already = room.id in state.rooms_of(sid)
        if not state.join(room.id, sid, user.id, 0 if staff else room.capacity):
            raise rooms.RoomFull(f"This room is full ({room.capacity} people).")
        if not already:
            work.undo.append(lambda: state.leave(room.id, sid))
        rooms.record_participant(session, room, user)
        answer = {
            "room": rooms.describe_room(session, room, state),
            "members": _members_json(session, state, room.id),
            "history": rooms.history(session, actor, room),
        }
        work.effects.append(lambda: self.enter_room(sid, room_channel(room.id)))
        if staff:
            work.effects.append(lambda: self.enter_room(sid, staff_channel(room.id)))
        work.effects.append(self._presence_effect(session, room))
        return answer

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        """`{room}` → `{ok}`."""
        return self._event(data, self._leave)

    def _leave(self, session: Session, actor: Actor, data: Any, work: _Work) -> dict[str, Any]:
        sid = request.sid  # type: ignore[attr-defined]
        state = _state()
        room = rooms.load_room(session, _room_slug(data))
        if room.id not in state.rooms_of(sid):
            raise rooms.NotInRoom("You are not in this room.")
        gone = state.leave(room.id, sid)
        work.effects.append(lambda: self.leave_room(sid, room_channel(room.id)))
        work.effects.append(lambda: self.leave_room(sid, staff_channel(room.id)))
        if gone:
            work.effects.append(self._presence_effect(session, room))
        return {}

    def on_message(self, data: Any = None) -> dict[str, Any]:
        """`{room, body, anonymous?}` → `{ok, message: {id, status}}`."""
        return self._event(data, self._message)

    def _message(self, session: Session, actor: Actor, data: Any, work: _Work) -> dict[str, Any]:
        sid = request.sid  # type: ignore[attr-defined]
        state = _state()
        room = rooms.load_room(session, _room_slug(data))
        if room.id not in state.rooms_of(sid):
            raise rooms.NotInRoom("Join the room first.")
        anonymous = data.get("anonymous", False)
        if not isinstance(anonymous, bool):
            raise Invalid({"anonymous": ["true or false."]})
        sent = rooms.send_message(
            session, actor, installed_screener(), state, room,
            body=data.get("body"), anonymous=anonymous, now=time.time(),
        )
        self._deliver(session, state, room, sent.message, sent.author, work)
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
        return answer

    def _deliver(self, session: Session, state: RoomState, room: Room, message: RoomMessage,
                 author: User | None, work: _Work) -> None:
        """Queue the emit of a published message to the room (minus blocked people), or of a
        held one to the host and moderators."""
        payload = rooms.message_json(message, room, author)
        skip = _skipped_sids(session, state, room.id, message.author_id)
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

    def on_moderate(self, data: Any = None) -> dict[str, Any]:
        """`{room, action, target?, seconds?}` (host, moderators) → `{ok}`."""
        return self._event(data, self._moderate)

    def _moderate(self, session: Session, actor: Actor, data: Any, work: _Work) -> dict[str, Any]:
        state = _state()
        room = rooms.load_room(session, _room_slug(data))
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
            work.effects.append(self._presence_effect(session, room))
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
        self._emit("support_request", payload, to=COUNSELLORS)

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


def _on_signed_out(user_id: Any, **_extra: Any) -> None:
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
account_signed_out.connect(_on_signed_out)
rooms.room_changed.connect(_on_room_changed)
rooms.support_requested.connect(_on_support_requested)
rooms.support_accepted.connect(_on_support_accepted)

__all__ = ["NAMESPACE", "RoomsNamespace", "error_ack", "register"]
