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

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis
from flask import Flask, current_app, request
from flask_socketio import Namespace, SocketIO
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.db import utcnow
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
from forum.models.safety import SanctionKind
from forum.models.user import AuthToken, User
from forum.policy import Actor, Permission
from forum.policy import rooms as room_rules
from forum.realtime.channels import (
    COUNSELLORS,
    NAMESPACE,
    Connection,
    Work,
    credentials,
    current_database,
    current_state,
    error_ack,
    require_totp,
    room_channel,
    room_slug,
    staff_channel,
    user_channel,
)
from forum.realtime.delivery import skipped_sids
from forum.realtime.presence import conceal, current_people, current_presence
from forum.realtime.recheck import RECHECK, RECHECK_ROOM
from forum.realtime.state import RoomState
from forum.screening import installed_screener
from forum.services import accounts, notifications, rooms, support
from forum.standing import assert_may_sign_in

log = logging.getLogger(__name__)


def socket_id() -> str:
    """The socket of the event being handled: Flask-SocketIO sets `request.sid`, an attribute
    Flask's request type does not declare."""
    return str(request.sid)  # type: ignore[attr-defined]  # set by Flask-SocketIO (see above)


class RoomsNamespace(Namespace):
    """Class-based handlers (`on_<event>`) of the `/rooms` namespace."""

    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self._connections: dict[str, Connection] = {}

    # --- plumbing -----------------------------------------------------------------------

    def _emit(self, event: str, data: Any, to: Any = None, skip_sid: Any = None) -> None:
        self.socketio.emit(event, data, namespace=self.namespace, to=to, skip_sid=skip_sid or None)

    def _recheck(self, session: Session, connection: Connection, work: Work, data: Any
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
        rows = session.execute(RECHECK_ROOM if named else RECHECK, params).all()
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
            work.muted = first[6] is not None
            work.participant = first[7] is not None
        current_people().refresh(user)
        return Actor.of(user, require_totp=require_totp())

    @staticmethod
    def _room(work: Work, data: Any) -> Room:
        """The room the event names, read by the re-check: 422 without a slug, 404 when
        there is no such room."""
        room_slug(data)
        if work.room is None:
            raise NotFound("No such room.")
        return work.room

    def _joined(self, sid: str, room_id: int) -> bool:
        """Has this socket joined the room (and not left it)? Asked of this process's own
        Socket.IO channels, which hold exactly the sockets it serves: a Redis restart (which
        wipes the shared presence) or outage does not turn a member into `not_in_room`."""
        channels = self.socketio.server.manager.rooms.get(self.namespace, {})
        return sid in channels.get(room_channel(room_id), ())

    def _cut_off(self, sid: str) -> None:
        self.socketio.server.disconnect(sid, namespace=self.namespace)

    def _event(self, data: Any, handler: Callable[[Session, Actor, Any, Work], dict[str, Any]]
               ) -> dict[str, Any]:
        """One event: a unit of work around the service call, effects after the commit."""
        sid = socket_id()
        connection = self._connections.get(sid)
        if connection is None:
            return error_ack(Unauthorized("Connect again with your token."))
        work = Work()
        try:
            with current_database().unit_of_work() as session:
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
    def _undo(work: Work) -> None:
        for step in reversed(work.undo):
            try:
                step()
            except Exception:  # noqa: BLE001
                log.exception("undoing room state failed")

    def _presence_effect(self, room: Room, members: int | None = None) -> Callable[[], None]:
        room_id, slug = room.id, room.slug
        return lambda: self._presence_changed(room_id, slug, members)

    def _presence_changed(self, room_id: int, slug: str, members: int | None = None) -> None:
        """Someone joined or left: `presence` now, or folded into the window's trailing
        send (`PresenceCoalescer`, whose window grows with the `members` in the room)."""
        presence = current_presence()
        wait = presence.claim(room_id, slug, time.monotonic(), members)
        if wait is None:
            return
        if wait <= 0:
            self._send_presence(room_id, slug)
            return
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy's typing hides it
        self.socketio.start_background_task(self._trailing_presence, app, room_id, slug, wait)

    def _trailing_presence(self, app: Flask, room_id: int, slug: str, wait: float) -> None:
        self.socketio.sleep(wait)
        with app.app_context():
            current_presence().sending(room_id, time.monotonic())
            try:
                self._send_presence(room_id, slug)
            except Exception:  # noqa: BLE001 - the next change sends the list again
                log.exception("presence update failed")

    def _send_presence(self, room_id: int, slug: str) -> None:
        """The member list as it is now, to everyone in the room: one broadcast, except for
        the few whose list a block changes (`rooms.presence_hidden`), who get their own."""
        state = current_state()
        members = state.members(room_id)
        with current_database().unit_of_work() as session:
            shown = conceal(session, room_id, slug, current_people().shown(members, session))
            hidden = rooms.presence_hidden(session, room_id, members,
                                           require_totp=require_totp())
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
        secret, kind = credentials(auth)
        if secret is None:
            raise ConnectionRefusedError({"code": "unauthorized", "message": "Sign in first."})
        with current_database().unit_of_work() as session:
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
            actor = Actor.of(user, require_totp=require_totp())
            connection = Connection(user_id=user.id, token_id=token.id)
            is_counsellor = actor.can(Permission.SUPPORT_ACCEPT)
        sid = socket_id()
        self._connections[sid] = connection
        current_people().connected(user)
        current_state().register_socket(sid, connection.user_id, connection.token_id)
        self.enter_room(sid, user_channel(connection.user_id))
        if is_counsellor:
            self.enter_room(sid, COUNSELLORS)

    def on_disconnect(self, reason: Any = None) -> None:
        """Forget the socket; tell the rooms its person has fully left."""
        sid = socket_id()
        connection = self._connections.pop(sid, None)
        state = current_state()
        state.unregister_socket(sid)
        left = state.drop_socket(sid)
        if connection is not None:
            current_people().disconnected(connection.user_id)
        if left:
            self._rooms_changed(left)

    def _rooms_changed(self, room_ids: Iterable[int]) -> None:
        """Someone left these rooms (or was swept out of them): send their presence."""
        room_ids = sorted(set(room_ids))
        slugs = current_presence().slugs
        unknown = [room_id for room_id in room_ids if room_id not in slugs]
        if unknown:
            with current_database().unit_of_work() as session:
                known = dict(session.execute(
                    select(Room.id, Room.slug).where(Room.id.in_(unknown))).tuples().all())
        else:
            known = {}
        for room_id in room_ids:
            slug = slugs.get(room_id) or known.get(room_id)
            if slug is not None:
                self._presence_changed(room_id, slug)

    # --- heartbeat (every HEARTBEAT_INTERVAL under `forum serve`) ------------------------

    def local_sockets(self) -> dict[str, tuple[int, int | None, set[int]]]:
        """The sockets this process serves: account, token and the rooms each has joined
        (read from this process's own Socket.IO channels, which Redis cannot lose)."""
        joined: dict[str, set[int]] = {}
        channels = self.socketio.server.manager.rooms.get(self.namespace, {})
        for name, members in list(channels.items()):
            if not isinstance(name, str) or not name.startswith("room:") or name.count(":") != 1:
                continue
            room_id = int(name.split(":", 1)[1])
            for sid in list(members):
                joined.setdefault(sid, set()).add(room_id)
        return {sid: (c.user_id, c.token_id, joined.get(sid, set()))
                for sid, c in list(self._connections.items())}

    def _local_sockets_in(self, room_id: int, user_id: int) -> set[str]:
        """This process's sockets of one account in one room (its own channels)."""
        channels = self.socketio.server.manager.rooms.get(self.namespace, {})
        return {sid for sid in list(channels.get(room_channel(room_id), ()))
                if (c := self._connections.get(sid)) is not None and c.user_id == user_id}

    def _enforce_kicks(self, local: dict[str, tuple[int, int | None, set[int]]]) -> set[int]:
        """A socket still in a room its account was kicked from (the kick was made while
        the shared presence had lost track of it, after a Redis restart, say) is taken out
        now and told `kicked`: a kick is a row, whatever Redis knew. One query."""
        pairs = {(room_id, user_id): sid for sid, (user_id, _t, joined) in local.items()
                 for room_id in joined}
        if not pairs:
            return set()
        with current_database().unit_of_work() as session:
            banned = set(session.execute(select(RoomBan.room_id, RoomBan.user_id).where(
                RoomBan.room_id.in_({r for r, _u in pairs}),
                RoomBan.user_id.in_({u for _r, u in pairs}))).tuples().all())
            slugs = dict(session.execute(select(Room.id, Room.slug).where(
                Room.id.in_({r for r, _u in banned}))).tuples().all()) if banned else {}
        state = current_state()
        changed: set[int] = set()
        for sid, (user_id, _t, joined) in local.items():
            for room_id in sorted(joined):
                if (room_id, user_id) not in banned:
                    continue
                self.leave_room(sid, room_channel(room_id))
                self.leave_room(sid, staff_channel(room_id))
                state.leave(room_id, sid)
                self._emit("kicked", {"room": slugs.get(room_id), "reason": "removed by the host"},
                           to=sid)
                joined.discard(room_id)
                changed.add(room_id)
        return changed

    def heartbeat(self) -> None:
        """One beat: cut the sockets whose token is gone (a sign-out, suspension or ban made
        while the queue could not carry the disconnect: it catches up here), then let the
        room state renew this process's heartbeat, rebuild presence after a Redis restart and
        sweep the sockets of dead processes; presence goes out for every room that changed."""
        self._cut_revoked()
        local = self.local_sockets()
        changed = self._enforce_kicks(local)
        beat = getattr(current_state(), "heartbeat", None)
        if beat is not None:
            changed |= beat(local)
        if changed:
            self._rooms_changed(changed)

    def _cut_revoked(self) -> None:
        connections = dict(self._connections)
        if not connections:
            return
        token_ids = sorted({c.token_id for c in connections.values()})
        with current_database().unit_of_work() as session:
            alive = set(session.scalars(select(AuthToken.id).where(
                AuthToken.id.in_(token_ids), AuthToken.expires_at > utcnow())).all())
        for sid, connection in connections.items():
            if connection.token_id not in alive:
                log.info("socket cut at heartbeat: its token is gone")
                self._cut_off(sid)

    # --- events -------------------------------------------------------------------------

    def on_join(self, data: Any = None) -> dict[str, Any]:
        """`{room}` → `{ok, room, members, history}` (history: the last 50 messages)."""
        return self._event(data, self._join)

    def _join(self, session: Session, actor: Actor, data: Any, work: Work) -> dict[str, Any]:
        sid = socket_id()
        state = current_state()
        room = self._room(work, data)
        room_rules.check_may_join(session, actor, room, state, kicked=work.removed,
                                  participant=work.participant)
        user = actor.require_user()
        staff = room_rules.may_moderate(actor, room)
        already = self._joined(sid, room.id)
        if not state.join(room.id, sid, user.id, 0 if staff else room.capacity):
            raise RoomFull(f"This room is full ({room.capacity} people).")
        if not already:
            work.undo.append(lambda: state.leave(room.id, sid))
        rooms.record_participant(session, room, user, known=work.participant)
        support.joined_offer_room(session, room, user.id)  # she accepts an offer by joining
        members = state.members(room.id)
        present = len(members)
        if work.has_blocks:
            hidden = rooms.presence_hidden(session, room.id, members,
                                           require_totp=require_totp()).get(user.id, set())
            members = [m for m in members if m not in hidden]
        shown = current_people().shown(members, session)
        answer = {
            "room": rooms.describe_room(session, room, state,
                                        host_shown=self._host_shown(session, room, shown)),
            "members": conceal(session, room.id, room.slug, shown),
            "history": rooms.history(session, actor, room),
        }
        work.effects.append(lambda: self.enter_room(sid, room_channel(room.id)))
        if staff:
            work.effects.append(lambda: self.enter_room(sid, staff_channel(room.id)))
        work.effects.append(self._presence_effect(room, present))
        return answer

    @staticmethod
    def _host_shown(session: Session, room: Room, shown: list[dict[str, Any]]
                    ) -> dict[str, Any] | None:
        """The room's host as `user_json` shows her, from the member list when she is
        present, else from the connected people (one query only when neither has her)."""
        if room.host_id is None:
            return None
        for member in shown:
            if member["id"] == room.host_id:
                return member
        found = current_people().shown([room.host_id], session)
        return found[0] if found else None

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        """`{room}` → `{ok}`."""
        return self._event(data, self._leave)

    def _leave(self, session: Session, actor: Actor, data: Any, work: Work) -> dict[str, Any]:
        sid = socket_id()
        state = current_state()
        room = self._room(work, data)
        if not self._joined(sid, room.id):
            raise NotInRoom("You are not in this room.")
        user_id = actor.require_user().id
        gone = state.leave(room.id, sid) or user_id not in state.members(room.id)
        if gone:
            rooms.forget_participant(session, room, user_id)
        work.effects.append(lambda: self.leave_room(sid, room_channel(room.id)))
        work.effects.append(lambda: self.leave_room(sid, staff_channel(room.id)))
        if gone:
            work.effects.append(self._presence_effect(room))
        return {}

    def on_message(self, data: Any = None) -> dict[str, Any]:
        """`{room, body, anonymous?}` → `{ok, message: {id, status}}`."""
        return self._event(data, self._message)

    def _message(self, session: Session, actor: Actor, data: Any, work: Work) -> dict[str, Any]:
        sid = socket_id()
        state = current_state()
        room = self._room(work, data)
        if not self._joined(sid, room.id):
            raise NotInRoom("Join the room first.")
        anonymous = data.get("anonymous", False)
        if not isinstance(anonymous, bool):
            raise Invalid({"anonymous": ["true or false."]})
        if room.is_private and support.concealed_member(session, room) == actor.id:
            anonymous = True  # the room of an offer never names her to the counsellor
        sent = rooms.send_message(
            session, actor, installed_screener(), state, room,
            body=data.get("body"), anonymous=anonymous, now=time.time(),
            sanctions=work.sanctions, removed=work.removed, muted=work.muted,
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
        if sent.screening.offers_help:
            answer["resources"] = list(sent.screening.resources)
        if sent.screening.is_crisis:
            # Said plainly when nobody on duty can hear the alert live (README).
            answer["counsellor_online"] = support.staff_online(session, state)
        return answer

    def _deliver(self, session: Session, state: RoomState, room: Room, message: RoomMessage,
                 author: User | None, work: Work, *, has_blocks: bool = True) -> None:
        """Queue the emit of a published message to the room (minus the people a block keeps
        from it), or of a held one to the host and moderators (`has_blocks` False: no block
        involves the author, as the event's re-check found)."""
        payload = rooms.message_json(message, room, author)
        skip = skipped_sids(session, state, room, message, has_blocks=has_blocks)
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

    def _offer_support(self, session: Session, actor: Actor, data: Any, work: Work
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

    def _decline_support(self, session: Session, actor: Actor, data: Any, work: Work
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

    def _moderate(self, session: Session, actor: Actor, data: Any, work: Work) -> dict[str, Any]:
        state = current_state()
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
            sids = sorted(state.sockets_in_room(room.id, done.user_id)
                          | self._local_sockets_in(room.id, done.user_id))
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
                current_presence().forget(room.id)

        return _effect

    # --- after-commit notifications from the HTTP side (see forum.services.rooms signals) ---

    def announce_room(self, room_id: int) -> None:
        """A room changed through the API (opened, closed): tell the clients."""
        state = current_state()
        with current_database().unit_of_work() as session:
            room = session.get(Room, room_id)
            if room is None:
                return
            effect = self._room_updated_effect(session, state, room)
        effect()

    def announce_support_request(self, request_id: int) -> None:
        """A member asked for private support: tell the connected counsellors."""
        with current_database().unit_of_work() as session:
            found = session.get(SupportRequest, request_id)
            if found is None:
                return
            member = session.get(User, found.member_id)
            payload = {"request": support.request_json(found, member, utcnow())}
            apart = support.counsellors_kept_from(session, found, require_totp=require_totp())
        state = current_state()
        skip = sorted(sid for user_id in apart for sid in state.sockets_of(user_id))
        self._emit("support_request", payload, to=COUNSELLORS, skip_sid=skip)

    def announce_support_accepted(self, request_id: int) -> None:
        """A counsellor accepted: tell the member (and the other counsellors it is taken)."""
        with current_database().unit_of_work() as session:
            found = session.get(SupportRequest, request_id)
            if found is None or found.room_id is None:
                return
            room = session.get(Room, found.room_id)
            if room is None:
                return
            payload = {
                "request": support.request_json(found),
                "room": rooms.describe_room(session, room, current_state()),
            }
            member_id = found.member_id
            taken = {"request": support.request_json(found)}
        self._emit("support_accepted", payload, to=user_channel(member_id))
        self._emit("support_request", taken, to=COUNSELLORS)

    def announce_notifications(self, user_ids: Iterable[int]) -> None:
        """`notification` {notification, unread_count} to each account's open sockets (on
        every process, through the shared state and the message queue), unless it is her
        quiet time. Who is online is asked in one round trip, so a reply with a thousand
        followers costs the writer little when few of them are connected."""
        try:
            online = sorted(current_state().online(set(user_ids)))
            if not online:
                return
            payloads: list[tuple[int, dict[str, Any]]] = []
            with current_database().unit_of_work() as session:
                for user_id in online:
                    if notifications.in_quiet_hours(session, user_id):
                        continue  # stored, not pushed: she sees it when she looks
                    shown = notifications.latest(session, user_id)
                    if shown is None:
                        continue
                    payloads.append((user_id, {
                        "notification": shown,
                        "unread_count": notifications.unread_count(session, user_id)}))
            for user_id, payload in payloads:
                self._emit("notification", payload, to=user_channel(user_id))
        except Exception:  # noqa: BLE001 - stored anyway: the badge and the page show it
            log.exception("pushing notifications failed")

    def disconnect_user(self, user_id: int) -> None:
        """Cut every socket of an account, on every process (through the message queue)."""
        for sid in sorted(current_state().sockets_of(user_id)):
            self.socketio.server.disconnect(sid, namespace=self.namespace)

    def disconnect_tokens(self, token_ids: Iterable[int]) -> None:
        """Cut every socket signed in with one of these tokens, on every process."""
        state = current_state()
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


def current_namespace() -> RoomsNamespace | None:
    """The namespace, when the running app has realtime installed."""
    try:
        if "forum.room_state" not in current_app.extensions:
            return None
    except RuntimeError:  # no app context: nothing is connected here
        return None
    return _NAMESPACE_INSTANCE
