"""Socket.IO for live support rooms: the `socketio` extension and `init_app`.

The realtime layer only translates (parse an event, call a service in one unit of work, commit,
then acknowledge and emit); rules live in `forum.services.rooms` and `forum.services.support`.

Deployment follows Flask-SocketIO's guide: one worker per process, and with `FORUM_REDIS_URL`
set, a Redis message queue between processes (`forum.realtime.queue`: reconnects within a
second and asks clients to re-sync after a gap) plus the shared `ResilientRoomState` (Redis,
with this process's memory when Redis does not answer, and a per-process heartbeat that
rebuilds presence after a Redis restart and sweeps the sockets of a killed process). The
async mode is chosen, not guessed by the library: `gevent` when the standard library is
monkey-patched (`forum serve`), `threading` otherwise (Flask's and Flask-SocketIO's test
clients, `flask run`).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from forum.realtime.packets import Packet
from forum.realtime.state import (
    HEARTBEAT_INTERVAL,
    MemoryRoomState,
    ResilientRoomState,
    RoomState,
)

log = logging.getLogger(__name__)

socketio = SocketIO()

NAMESPACE = "/rooms"


def choose_async_mode() -> str:
    """`gevent` under `forum serve` (which monkey-patches before importing anything),
    `threading` otherwise: gevent's mode in an unpatched process would block on I/O."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def _setting(settings: dict[str, Any], name: str, default: str) -> str:
    """An optional realtime setting: the app's settings, then the environment (for names
    `forum.config` does not list), then `default`."""
    return str(settings.get(name) or os.environ.get(name) or default)


def build_state(settings: dict[str, Any]) -> RoomState:
    """Shared Redis state (with this process's memory when Redis does not answer) when
    FORUM_REDIS_URL is set, else this process's memory. `FORUM_ROOM_STATE_PREFIX` keeps the
    keys of two deployments (or test runs) apart."""
    url = settings.get("FORUM_REDIS_URL")
    if url:
        return ResilientRoomState.from_url(
            url, prefix=_setting(settings, "FORUM_ROOM_STATE_PREFIX", "saheli:rooms:")
        )
    return MemoryRoomState()


#: Seconds over which `presence` updates of one room are folded into one (see
#: `forum.realtime.presence.PresenceCoalescer`); 0 sends one per join or leave.
PRESENCE_INTERVAL = 0.25


def presence_interval(settings: dict[str, Any]) -> float:
    """`FORUM_ROOM_PRESENCE_INTERVAL` from the app's settings or the environment (0 is a
    valid value, so not through `_setting`)."""
    raw = settings.get("FORUM_ROOM_PRESENCE_INTERVAL")
    if raw is None:
        raw = os.environ.get("FORUM_ROOM_PRESENCE_INTERVAL")
    if raw is None or raw == "":
        return PRESENCE_INTERVAL
    return max(0.0, float(raw))


def init_app(app: Flask) -> None:
    """Attach Socket.IO (namespace `/rooms`) and the room state to the app.

    Same-origin only: `cors_allowed_origins=None` makes python-engineio accept only an
    `Origin` equal to the request's own scheme and host (clients that send no `Origin`, such
    as native apps, authenticate with a token). No engine.io logger: it would print addresses.
    """
    # The namespace needs `socketio` defined above; the receivers connect at import.
    from forum.realtime import namespace, presence, receivers  # noqa: F401

    settings = app.config["FORUM"]
    state = build_state(settings)
    app.extensions["forum.room_state"] = state
    app.extensions["forum.people"] = presence.People()
    app.extensions["forum.presence"] = presence.PresenceCoalescer(
        presence_interval(settings),
        shared=state if isinstance(state, ResilientRoomState) else None)
    options: dict[str, Any] = {
        "async_mode": app.config.get("SOCKETIO_ASYNC_MODE") or choose_async_mode(),
        "cors_allowed_origins": None,
        "logger": False,
        "engineio_logger": False,
        "max_http_buffer_size": int(settings["FORUM_MAX_CONTENT_LENGTH"]),
        "serializer": Packet,
    }
    if settings.get("FORUM_REDIS_URL"):
        from forum.realtime.queue import ResyncingRedisManager

        options["client_manager"] = ResyncingRedisManager(
            settings["FORUM_REDIS_URL"],
            channel=_setting(settings, "FORUM_SOCKETIO_CHANNEL", "saheli-socketio"),
            namespace=NAMESPACE,
        )
    # The extension object outlives one app (tests build many): forget the previous app's
    # queue so an app without Redis does not inherit one.
    for key in ("message_queue", "channel", "client_manager"):
        socketio.server_options.pop(key, None)
    rooms_namespace = namespace.register(socketio)
    socketio.init_app(app, **options)
    if options["async_mode"] == "gevent" and isinstance(state, ResilientRoomState):
        socketio.start_background_task(_beat_forever, app, rooms_namespace)


def _beat_forever(app: Flask, rooms_namespace: Any) -> None:
    """This process's heartbeat (`RoomsNamespace.heartbeat`), every `HEARTBEAT_INTERVAL`
    seconds for the life of the process (`forum serve` only)."""
    failing = 0
    while True:
        try:
            with app.app_context():
                rooms_namespace.heartbeat()
        except Exception as exc:  # noqa: BLE001 - the next beat tries again
            # Under an outage (the database down): one line when it starts, no tracebacks.
            if not failing:
                log.error("room heartbeat skipped: %s", type(exc).__name__)
            failing += 1
        else:
            if failing:
                log.warning("room heartbeat back after %d skipped beat(s)", failing)
            failing = 0
        socketio.sleep(HEARTBEAT_INTERVAL)


__all__ = ["NAMESPACE", "build_state", "choose_async_mode", "init_app", "socketio"]
