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


def _parsed(request: bytes) -> tuple[server.PrivateAccessHandler, dict, list[socket.socket]]:
    """A handler that has read `request` from a real socket, and the environ it built."""
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    accepted, address = listener.accept()
    client.sendall(request)
    handler = server.PrivateAccessHandler(
        accepted, address, server.NoDelayWSGIServer(("127.0.0.1", 0), Flask("t")))
    handler.requestline = handler.read_requestline()
    assert handler.read_request(handler.requestline)
    return handler, handler.get_environ(), [client, accepted, listener]


HANDSHAKE = (b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\n"
             b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
             b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")


def test_a_websocket_handshake_keeps_no_read_buffer_and_hands_its_socket_over():
    """After a websocket handshake's headers, the connection belongs to the websocket: the
    8 KB read buffer and the parsed headers pywsgi kept for the socket's life are let go (9.5 MB
    per 1,000 sockets), while simple-websocket still finds the socket through `wsgi.input.raw`
    and reads what the client sends next."""
    import sys

    handler, environ, sockets = _parsed(HANDSHAKE)
    try:
        assert sys.getsizeof(environ["wsgi.input"]) < 1024  # no 8 KB buffer inside
        assert environ["wsgi.input"] is handler.rfile
        assert "headers" not in handler.__dict__
        assert environ["HTTP_SEC_WEBSOCKET_KEY"] == "dGhlIHNhbXBsZSBub25jZQ=="
        taken = environ["wsgi.input"].raw._sock.dup()  # as simple-websocket takes it
        sockets[0].sendall(b"\x81\x05hello")
        assert taken.recv(16) == b"\x81\x05hello"
        taken.close()
    finally:
        handler.rfile.close()
        for sock in sockets:
            sock.close()


def test_a_request_that_may_carry_a_body_keeps_its_reader():
    """Only a handshake as RFC 6455 writes it is trimmed: a request with a body (even one that
    asks to upgrade) still reads its body through pywsgi's buffer, and plain requests keep it."""
    import sys

    body = b"hello"
    for request in (
        b"POST /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Content-Length: 5\r\n\r\n" + body,
        b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n",
    ):
        handler, environ, sockets = _parsed(request)
        try:
            assert sys.getsizeof(handler.rfile) > 8192
            assert "headers" in handler.__dict__
            if request.startswith(b"POST"):
                assert environ["wsgi.input"].read(5) == body
        finally:
            handler.rfile.close()
            for sock in sockets:
                sock.close()
