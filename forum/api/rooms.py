"""Support rooms and private support over JSON: translators only. Live events (joining,
talking, moderating) are on the `/rooms` Socket.IO namespace; this side announces, opens,
closes, reads history (reconnect catch-up) and queues support requests.

Changes clients must hear of live are announced through `forum.services.rooms` signals sent
after the commit (`after_commit`), so this module never imports `forum.realtime`.
"""

from __future__ import annotations

from typing import Any

from flask import request

from forum import db
from forum.api import room_schemas as rs
from forum.api.core import after_commit, endpoint, int_arg
from forum.db import utcnow
from forum.policy import Actor
from forum.policy import rooms as room_rules
from forum.services import rooms, support


def _state() -> Any:
    return rooms.installed_room_state()


@endpoint("/rooms", "GET", summary="Support rooms (scheduled and open; ?status=all adds closed)",
          tag="rooms", response=rs.RoomsOut, auth=False, query=(("status", "string"),))
def list_rooms(actor: Actor) -> dict[str, Any]:
    include_closed = request.args.get("status") == "all"
    return {"rooms": rooms.list_rooms(db.session(), actor, _state(), include_closed=include_closed)}


@endpoint("/rooms", "POST", summary="Announce a room (counsellors, admins); its creator hosts",
          tag="rooms", body=rs.RoomIn, response=rs.RoomEnvelope, status=201,
          errors=(401, 403, 422))
def create_room(actor: Actor, body: rs.RoomIn) -> tuple[dict[str, Any], int]:
    session = db.session()
    room = rooms.create_room(session, actor, title=body.title, description=body.description,
                             starts_at=body.starts_at, capacity=body.capacity)
    room_id = room.id
    after_commit(lambda: rooms.room_changed.send(room_id))
    return {"room": rooms.describe_room(session, room, _state())}, 201


@endpoint("/rooms/<slug>/open", "POST", summary="Open a room (its host, admins)", tag="rooms",
          response=rs.RoomEnvelope, errors=(401, 403, 404, 409))
def open_room(actor: Actor, slug: str) -> dict[str, Any]:
    session = db.session()
    room = rooms.load_visible_room(session, actor, slug)
    rooms.open_room(session, actor, room)
    room_id = room.id
    after_commit(lambda: rooms.room_changed.send(room_id))
    return {"room": rooms.describe_room(session, room, _state())}


@endpoint("/rooms/<slug>/close", "POST", summary="Close a room for good (its host, moderators, "
          "admins)", tag="rooms", response=rs.RoomEnvelope, errors=(401, 403, 404))
def close_room(actor: Actor, slug: str) -> dict[str, Any]:
    session = db.session()
    room = rooms.load_visible_room(session, actor, slug)
    rooms.close_room(session, actor, room)
    room_id = room.id
    after_commit(lambda: rooms.room_changed.send(room_id))
    return {"room": rooms.describe_room(session, room, _state())}


@endpoint("/rooms/<slug>/messages", "GET", summary="A room's messages, oldest first "
          "(participants and moderators); ?after=ID to catch up after a reconnect",
          tag="rooms", response=rs.RoomMessagesOut,
          query=(("before", "integer"), ("after", "integer"), ("limit", "integer")),
          errors=(401, 403, 404, 422))
def room_messages(actor: Actor, slug: str) -> dict[str, Any]:
    session = db.session()
    room = rooms.load_visible_room(session, actor, slug)
    room_rules.check_may_read(session, actor, room, _state())
    limit = int_arg("limit") or rooms.HISTORY_SIZE
    messages = rooms.history(session, actor, room, before=int_arg("before"),
                             after=int_arg("after"), limit=limit)
    return {"messages": messages}


@endpoint("/support-requests", "POST", summary="Ask for a private conversation with a counsellor",
          tag="support", body=rs.SupportRequestIn, response=rs.SupportRequestEnvelope,
          status=201, errors=(401, 403, 422), limit="support_request")
def create_support_request(actor: Actor, body: rs.SupportRequestIn) -> tuple[dict[str, Any], int]:
    found = support.request_support(db.session(), actor, topic=body.topic)
    request_id = found.id
    after_commit(lambda: rooms.support_requested.send(request_id))
    return {"request": support.request_json(found)}, 201


@endpoint("/support-requests", "GET", summary="Waiting requests and open offers, crisis first, "
          "then oldest "
          "(counsellors)", tag="support", response=rs.SupportRequestsOut, errors=(401, 403))
def list_support_requests(actor: Actor) -> dict[str, Any]:
    return {"requests": support.waiting_requests(db.session(), actor, utcnow())}


@endpoint("/support-requests/<int:request_id>/accept", "POST", summary="Accept a request: a "
          "private room for the two (counsellors)", tag="support",
          response=rs.SupportAcceptedOut, errors=(401, 403, 404, 409))
def accept_support_request(actor: Actor, request_id: int) -> dict[str, Any]:
    done = support.accept(db.session(), actor, request_id)
    after_commit(lambda: rooms.support_accepted.send(request_id))
    return support.accepted_json(done)


@endpoint("/support-requests/<int:request_id>/cancel", "POST", summary="Withdraw a waiting "
          "request (the member; counsellors may drop one)", tag="support",
          response=rs.SupportRequestEnvelope, errors=(401, 404, 409))
def cancel_support_request(actor: Actor, request_id: int) -> dict[str, Any]:
    found = support.cancel(db.session(), actor, request_id)
    return {"request": support.request_json(found)}
