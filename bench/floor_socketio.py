"""The Socket.IO floor: a bare Flask-SocketIO echo room, gevent mode, served by exactly the same
server as `forum serve` (`forum.ops.server.serve`: gevent pywsgi, simple-websocket, one process).

It speaks the subset of Saheli's `/rooms` protocol the rooms benchmark uses — `join {room}` and
`message {room, body}`, both acknowledged, and a `message` event of the same shape as Saheli's
to everyone in the room — with no accounts, no database, no moderation and no presence, so the
ratio Saheli / floor measures what Saheli itself adds to one fan-out, not what Flask-SocketIO
and gevent cost anyway.

Run: `python bench/floor_socketio.py PORT` (it gevent-patches first, like `forum serve`).
"""

from __future__ import annotations

import sys

from gevent import monkey

monkey.patch_all()

import datetime as dt  # noqa: E402
import itertools  # noqa: E402
from typing import Any  # noqa: E402

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

from forum.ops.server import serve  # noqa: E402

NAMESPACE = "/rooms"
#: The `message` event has the shape and size of Saheli's (`forum.services.rooms.message_json`,
#: a bench member's handle), so both servers write, and the clients parse, the same bytes.
AUTHOR = {"id": 2, "handle": "b0000", "role": "member"}


def build() -> tuple[Flask, SocketIO]:
    """The echo room: the same Socket.IO options as Saheli's `forum.realtime.init_app`."""
    app = Flask("floor_socketio")
    socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=None, logger=False,
                        engineio_logger=False)
    ids = itertools.count(1)

    @socketio.on("connect", namespace=NAMESPACE)
    def connect(auth: Any = None) -> bool:
        return True

    @socketio.on("join", namespace=NAMESPACE)
    def join(data: Any) -> dict[str, Any]:
        join_room(f"room:{data['room']}")
        return {"ok": True, "room": {"slug": data["room"]}, "members": [], "history": []}

    @socketio.on("message", namespace=NAMESPACE)
    def message(data: Any) -> dict[str, Any]:
        number = next(ids)
        created = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
        emit("message", {"room": data["room"], "id": number, "author": AUTHOR,
                         "anonymous": False, "body_html": f"<p>{data['body']}</p>",
                         "status": "published", "created_at": created},
             to=f"room:{data['room']}", namespace=NAMESPACE)
        return {"ok": True, "message": {"id": number, "status": "published"}}

    return app, socketio


if __name__ == "__main__":
    application, _socketio = build()
    serve(application, "127.0.0.1", int(sys.argv[1]))
