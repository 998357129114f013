"""The production server behind `forum serve`: gevent's WSGI server, one process, HTTP and
Socket.IO (websocket and long-polling) on one port, as Flask-SocketIO's deployment guide
recommends. Websockets are served by simple-websocket on the raw gevent socket (python-engineio's
gevent driver, without gevent-websocket); `forum.realtime` picks the `gevent` async mode because
`forum serve` monkey-patches the standard library first. The access log records method, path,
status, size and time — never the address.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import signal
import socket
from collections.abc import Callable
from typing import Any

import gevent
from flask import Flask
from gevent.pywsgi import WSGIHandler, WSGIServer

from forum.ops.logs import install_address_redaction, redact

access_log = logging.getLogger("forum.access")


def _is_websocket_handshake(environ: dict[str, Any]) -> bool:
    """A websocket opening handshake: a GET asking to upgrade to websocket, with no body."""
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and environ.get("HTTP_UPGRADE", "").lower() == "websocket"
        and environ.get("CONTENT_LENGTH", "0") == "0"
        and "HTTP_TRANSFER_ENCODING" not in environ
    )


class PrivateAccessHandler(WSGIHandler):
    """gevent's handler, with an access-log line that leaves the client address out."""

    def format_request(self) -> str:
        length = self.response_length or "-"
        took = f"{self.time_finish - self.time_start:.4f}" if self.time_finish else "-"
        path = (self.requestline or "").split(" ")[1:2]
        shown = redact(path[0].split("?", 1)[0]) if path else "-"
        method = (self.command or "-")
        return f'"{method} {shown}" {(self._orig_status or self.status or "000").split()[0]} {length} {took}s'

    def log_request(self) -> None:
        access_log.info(self.format_request())

    def get_environ(self) -> dict[str, Any]:
        """gevent's environ; for a websocket upgrade, without what only HTTP reading needs.

        pywsgi reads each connection through a buffered reader of 8 KB and keeps the parsed
        request headers, both for the connection's life. A websocket takes the socket over
        (simple-websocket reads a duplicate of it, found through ``wsgi.input.raw``), so after
        the upgrade request's headers neither is used again, yet both stayed allocated for as
        long as the socket was open: ~9.5 MB per 1,000 sockets. The request has no body and
        its connection is not reused (``run_application``), so nothing is lost by reading no
        further through the buffer; the environ holds every header. Only a handshake as RFC 6455
        writes it (a GET without a body) is trimmed: anything else may still read its body. (A
        client that sent frames before the handshake's answer, which the RFC forbids, loses
        them either way: the websocket reads the socket, not this buffer.)"""
        environ: dict[str, Any] = super().get_environ()
        if _is_websocket_handshake(environ) and self.rfile is not None:
            raw = self.rfile.detach()  # the socket's raw stream; the buffer goes with the reader
            self.rfile = io.BufferedReader(raw, 1)
            if self.wsgi_input is not None:
                self.wsgi_input.rfile = self.rfile
            environ["wsgi.input"] = self.rfile
            self.__dict__.pop("headers", None)  # the class's empty default stands in
        return environ

    def run_application(self) -> None:
        """Run the app; after a websocket (Socket.IO through simple-websocket, which took the
        raw socket over) the connection is finished: without this, gevent would read the
        websocket's closing frame as the next HTTP request on a kept-alive connection and log
        a 400 with the peer's port after a three-second wait."""
        is_websocket = (self.environ or {}).get("HTTP_UPGRADE", "").lower() == "websocket"
        try:
            super().run_application()
        finally:
            if is_websocket:
                self.close_connection = True
                if self.status is None:
                    self._orig_status = self.status = "101 Switching Protocols"


class NoDelayWSGIServer(WSGIServer):
    """gevent's WSGI server with Nagle's algorithm off on every connection.

    gevent writes a response's headers and body in separate sends; with Nagle on, the body
    waits for the client's delayed ACK of the headers (about 40 ms on Linux) on every
    kept-alive request. That stall, not the work, would bound each connection to ~25
    requests a second, and a Socket.IO frame behind another would wait the same.
    """

    def handle(self, sock: Any, address: Any) -> None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # a Unix socket, or already closed: nothing to tune
            pass
        super().handle(sock, address)


class _LoggerFile:
    """A file-like object gevent can write error text to, routed into logging (redacted)."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def write(self, text: str) -> None:
        text = text.rstrip()
        if text:
            self.logger.error(text)

    def flush(self) -> None:
        return None


def _every_hour(app: Flask, task: Callable[[Flask], int]) -> None:
    """Run a housekeeping task now and then hourly; a failure is logged, never fatal."""
    log = logging.getLogger("forum.server")
    while True:
        try:
            done = task(app)
            if done:
                log.info("housekeeping %s: %s row(s)", task.__name__, done)
        except Exception:  # noqa: BLE001 - the next hour tries again
            log.exception("housekeeping %s failed", task.__name__)
        gevent.sleep(3600)


def shared_listener(host: str, port: int) -> socket.socket:
    """A listening socket with SO_REUSEPORT: each worker of `forum serve --workers N` binds
    its own on the same port, and the kernel spreads new connections between them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    listener.listen(1024)
    return listener


def settle_heap(app: Flask) -> None:
    """Before serving: build what the process keeps for life (the app, the compiled moderation
    rules with the lexicons and the learned detector, the Markdown renderer), collect, and
    move everything alive out of the cyclic collector's reach (`gc.freeze`).

    That is ~170,000 objects. A room's fan-out keeps hundreds of packets queued across young
    collections, so full collections come every few seconds; each walked that whole heap
    (~100 ms measured: a pause every member felt, and on a process that only relays messages
    from Redis the whole of its p99). Frozen, they walk only what was made since. Here, at
    start-up, and not in a test process, which builds many apps and must not freeze them.
    """
    from forum.db import database
    from forum.rendering import render_markdown
    from forum.screening import installed_screener

    with app.app_context():
        try:
            with database().unit_of_work() as session:
                installed_screener().warm_up(session)
        except Exception:  # noqa: BLE001 - a database not answering yet: built on first use
            logging.getLogger("forum.server").warning(
                "moderation rules not built before serving (built at the first post instead)")
        render_markdown("**salaam**, _warming up_: https://example.org")
    gc.collect()
    gc.freeze()


def serve(
    app: Flask, host: str, port: int | None, *, hourly: Callable[[Flask], int] | None = None,
    reuse_port: bool = False,
) -> None:
    """Serve until SIGTERM or SIGINT (the caller has applied migrations); `hourly` runs in a
    background greenlet (room-message retention). `reuse_port`: one of several workers on
    the same port (`shared_listener`)."""
    install_address_redaction(create_handler=True)
    if hourly is not None:
        gevent.spawn(_every_hour, app, hourly)
    port = port or int(os.environ.get("PORT", "5000"))
    application: Any = app
    server = NoDelayWSGIServer(
        shared_listener(host, port) if reuse_port else (host, port),
        application,
        handler_class=PrivateAccessHandler,
        log=None,
        error_log=_LoggerFile(logging.getLogger("forum.server")),
    )
    # A name one can open (the log redacts every address-shaped text, the server's own too).
    every = host in ("0.0.0.0", "::", "")
    shown = "localhost" if every or host in ("127.0.0.1", "::1") else host
    logging.getLogger("forum.server").info("Saheli serving on http://%s:%s%s", shown, port,
                                           " (on every interface)" if every else "")

    def _stop(*_args: Any) -> None:
        # A clean stop ends this process's room heartbeat at once, so the other processes
        # sweep its sockets from presence at their next beat rather than after its lifetime.
        state = app.extensions.get("forum.room_state")
        if hasattr(state, "stop"):
            try:
                state.stop()
            except Exception:  # noqa: BLE001 - stopping anyway
                logging.getLogger("forum.server").warning("room heartbeat not ended cleanly")
        server.stop(timeout=5)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    settle_heap(app)
    server.serve_forever()
