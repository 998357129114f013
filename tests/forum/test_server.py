"""The production server's socket handling (`forum.ops.server`)."""

from __future__ import annotations

import socket

from flask import Flask

from forum.ops import server


def test_every_connection_is_served_with_nagle_off(monkeypatch):
    """Responses go out as soon as they are written: with Nagle's algorithm on, a kept-alive
    client would wait ~40 ms for each response's body behind its headers."""
    seen: list[int] = []
    monkeypatch.setattr(
        server.WSGIServer, "handle",
        lambda _self, sock, _address: seen.append(
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)),
    )
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    accepted, address = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        wsgi = server.NoDelayWSGIServer(("127.0.0.1", 0), Flask("t"))
        wsgi.handle(accepted, address)
        assert seen == [1]
    finally:
        for sock in (client, accepted, listener):
            sock.close()
