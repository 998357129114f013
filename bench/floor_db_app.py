"""The DB-backed floor: the least a forum can do to answer Saheli's two hot reads from the same
PostgreSQL tables. Plain Flask and psycopg, one auth query (the bearer token's hash to its
account) and one page query (a thread with its published posts and their authors, or a board
with its latest threads), `json.dumps`, served by exactly Saheli's server (`forum.ops.server.serve`:
gevent pywsgi with TCP_NODELAY, one process, the same access log).

It checks nothing Saheli checks (blocks, hidden items, held posts, board visibility, staff,
anonymity): it is a floor, not a forum.

Run: `python bench/floor_db_app.py PORT DATABASE_URL [shared]` (it gevent-patches first, like
`forum serve`; `shared`: one of several processes on the same port).
"""

from __future__ import annotations

import sys

from gevent import monkey

monkey.patch_all()

import hashlib  # noqa: E402
import json  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Any  # noqa: E402

import psycopg  # noqa: E402
from flask import Flask, Response, request  # noqa: E402
from gevent.queue import Queue  # noqa: E402

from forum.ops.server import serve  # noqa: E402

AUTH = ("SELECT u.id, u.handle, u.role FROM auth_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = %s AND t.kind = 'bearer' AND t.expires_at > now()")
THREAD = (
    "SELECT t.id, t.title, t.post_count, t.created_at, t.last_post_at, p.id, p.author_id, "
    "p.is_anonymous, p.body_html, p.created_at, p.support_count, a.handle, a.role "
    "FROM threads t LEFT JOIN posts p ON p.thread_id = t.id AND p.status = 'published' "
    "LEFT JOIN users a ON a.id = p.author_id WHERE t.id = %s ORDER BY p.id LIMIT 21")
BOARD = (
    "SELECT b.slug, b.name, t.id, t.title, t.created_at, t.last_post_at, t.post_count, "
    "t.is_anonymous, t.author_id, u.handle, u.role FROM boards b "
    "LEFT JOIN threads t ON t.board_id = b.id AND t.status = 'published' "
    "LEFT JOIN users u ON u.id = t.author_id WHERE b.slug = %s "
    "ORDER BY t.is_pinned DESC, t.last_post_at DESC, t.id DESC LIMIT 21")


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def build(url: str, connections: int = 10) -> Flask:
    app = Flask("floor_db")
    pool: Queue[psycopg.Connection[Any]] = Queue()
    for _ in range(connections):
        pool.put(psycopg.connect(url, autocommit=True))

    @contextmanager
    def connection() -> Iterator[psycopg.Connection[Any]]:
        conn = pool.get()
        try:
            yield conn
        finally:
            pool.put(conn)

    def viewer(conn: psycopg.Connection[Any]) -> tuple[Any, ...] | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
        return conn.execute(AUTH, (digest,)).fetchone()

    def answer(body: Any, status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    @app.get("/api/v1/threads/<int:thread_id>")
    def thread(thread_id: int) -> Response:
        with connection() as conn:
            viewer(conn)
            rows = conn.execute(THREAD, (thread_id,)).fetchall()
        if not rows:
            return answer({"code": "not_found"}, 404)
        first = rows[0]
        posts = [{"id": r[5], "author": None if r[7] else {"id": r[6], "handle": r[11],
                                                           "role": r[12]},
                  "anonymous": r[7], "body_html": r[8], "created_at": iso(r[9]),
                  "reaction_counts": {"support": r[10]}} for r in rows[:20] if r[5] is not None]
        return answer({"thread": {"id": first[0], "title": first[1], "post_count": first[2],
                                  "created_at": iso(first[3]), "last_post_at": iso(first[4])},
                       "posts": posts, "next_cursor": None})

    @app.get("/api/v1/boards/<slug>/threads")
    def board(slug: str) -> Response:
        with connection() as conn:
            viewer(conn)
            rows = conn.execute(BOARD, (slug,)).fetchall()
        if not rows:
            return answer({"code": "not_found"}, 404)
        threads = [{"id": r[2], "title": r[3], "created_at": iso(r[4]), "last_post_at": iso(r[5]),
                    "post_count": r[6], "anonymous": r[7],
                    "author": None if r[7] else {"id": r[8], "handle": r[9], "role": r[10]}}
                   for r in rows[:20] if r[2] is not None]
        return answer({"threads": threads, "next_cursor": None})

    return app


if __name__ == "__main__":
    # A third argument, "shared": one of several floor processes on the port (SO_REUSEPORT),
    # as the workers of `forum serve --workers N` share theirs.
    serve(build(sys.argv[2].replace("postgresql+psycopg://", "postgresql://")),
          "127.0.0.1", int(sys.argv[1]), reuse_port=sys.argv[3:4] == ["shared"])
