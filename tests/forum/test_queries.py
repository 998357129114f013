"""The hot read paths: index-backed on PostgreSQL, and no writes on plain reads."""

from __future__ import annotations

import re

import pytest


def _populate(client, member, count=3):
    ids = []
    for i in range(count):
        created = client.post("/api/v1/boards/talk/threads", headers=member.headers,
                              json={"title": f"t{i}", "body": "b"}).get_json()
        ids.append(created["thread"]["id"])
    client.post(f"/api/v1/threads/{ids[0]}/posts", headers=member.headers, json={"body": "r"})
    return ids


def test_plain_reads_write_nothing(client, make_board, make_user, queries):
    make_board()
    member = make_user()
    ids = _populate(client, member)
    start = len(queries.statements)
    for url in ("/api/v1/boards", "/api/v1/boards/talk/threads", f"/api/v1/threads/{ids[0]}",
                "/api/v1/me"):
        assert client.get(url, headers=member.headers).status_code == 200
    writes = [s for s in queries.statements[start:]
              if re.match(r"\s*(INSERT|UPDATE|DELETE)", s, re.IGNORECASE)]
    assert writes == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_listing_queries_use_indexes(app, client, make_board, make_user, queries):
    """EXPLAIN is read on PostgreSQL, the production database, with sequential scans
    priced out so that only a usable index can serve the query."""
    make_board()
    member = make_user()
    ids = _populate(client, member)
    start = len(queries.executed)
    client.get("/api/v1/boards/talk/threads", headers=member.headers)
    client.get(f"/api/v1/threads/{ids[0]}", headers=member.headers)
    listings = [
        (sql, params) for sql, params in queries.executed[start:]
        if re.search(r"FROM (boards|threads|posts)\b", sql) and "ORDER BY" in sql
    ]
    assert len(listings) == 2
    connection = app.extensions["forum.db"].new_session().connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    for sql, params in listings:
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql, params).all()
        )
        assert not re.search(r"Seq Scan on (boards|threads|posts)\b", plan), plan
        assert re.search(r"Index (Only )?Scan", plan), plan
