"""The Socket.IO message queue between server processes, with a short reconnect and a
re-sync signal (issue #15).

python-socketio's `RedisManager` backs off up to 60 s (16 s seen in practice) when its
listener loses Redis, and emits published by other processes meanwhile never arrive here,
although their senders were acknowledged (the message was committed first). This manager
retries every `MAX_BACKOFF` seconds at most, and when it subscribes again after a failure it
tells every socket of this process `resync` `{"reason": "gap"}` (locally, not through the
queue): the client then fetches `GET /rooms/{slug}/messages?after=<its last id>`, so nothing
acknowledged is missing on any screen (the room page does it, `static/js/room.js`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import socketio

log = logging.getLogger(__name__)

#: Longest wait between two attempts to reach Redis again, in seconds.
MAX_BACKOFF = 1.0
FIRST_BACKOFF = 0.1


class ResyncingRedisManager(socketio.RedisManager):  # type: ignore[misc]  # python-socketio ships no types
    """`socketio.RedisManager` with the listener's back-off capped at `MAX_BACKOFF` and a
    `resync` emitted to this process's sockets after every gap."""

    def __init__(self, url: str, *, channel: str, namespace: str,
                 on_gap: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(url, channel=channel, write_only=False,
                         redis_options={"socket_connect_timeout": 1, "health_check_interval": 5},
                         **kwargs)
        self.resync_namespace = namespace
        self.on_gap = on_gap
        self.gaps = 0

    def _redis_listen_with_retries(self) -> Iterator[Any]:  # pragma: no cover - live tests
        retry_sleep = FIRST_BACKOFF
        subscribed = False
        failed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    retry_sleep = FIRST_BACKOFF
                    if failed:
                        failed = False
                        self._gap()
                yield from self.pubsub.listen()
            except Exception as exc:  # noqa: BLE001 - whatever broke, listen again soon
                if not failed:
                    log.error("Cannot receive from redis (%s: %s); retrying every %.1f s at most",
                              type(exc).__name__, exc, MAX_BACKOFF)
                failed = True
                subscribed = False
                time.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, MAX_BACKOFF)

    def _gap(self) -> None:
        """Subscribed again after a gap: every socket of this process re-syncs."""
        self.gaps += 1
        log.warning("Socket.IO queue: Redis answers again; asking clients to re-sync")
        try:
            self.emit("resync", {"reason": "gap"}, namespace=self.resync_namespace,
                      ignore_queue=True)
        except Exception:  # noqa: BLE001 - a client that misses it re-syncs on reconnect
            log.exception("resync emit failed")
        if self.on_gap is not None:
            self.on_gap()
