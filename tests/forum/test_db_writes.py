"""When `forum.db` announces a transaction's writes (what the page cache purges by): once, after
the outermost commit, with every write of the transaction, savepoints or not; never before
the commit (a reader between the purge and the commit would store the old page again), and
never for a transaction rolled back.

On a database of its own (one table), so that the unpinned case really commits; on SQLite and
PostgreSQL. The pinned case is how the test suite runs the app (`Database.bind`): a session's
savepoint in the test's transaction stands for its transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, update

from forum.db import Database, make_engine
from tests.conftest import _create_postgres_database, _drop_postgres_database, service_unavailable

metadata = MetaData()
posts = Table("posts", metadata, Column("id", Integer, primary_key=True),
              Column("status", String(16)))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/writes.sqlite3"
    else:
        try:
            url = _create_postgres_database()
        except Exception as exc:  # noqa: BLE001
            service_unavailable("PostgreSQL", exc)
    engine = make_engine(url)
    metadata.create_all(engine)
    try:
        yield Database(engine)
    finally:
        engine.dispose()
        if request.param == "postgresql":
            _drop_postgres_database(url)


@pytest.fixture
def heard(database: Database) -> list[list[tuple[str | None, str, Any]]]:
    """What the database announced: one list per announcement."""
    announcements: list[list[tuple[str | None, str, Any]]] = []
    database.after_write_commit.append(
        lambda writes: announcements.append([(w.table, w.verb, w.rows) for w in writes]))
    return announcements


def _unit_of_work_past_a_savepoint(database: Database, heard: list[Any]) -> None:
    """Write, write in a savepoint and release it, write again: nothing is announced before
    the commit."""
    with database.unit_of_work() as session:
        session.execute(insert(posts).values(id=1, status="published"))
        with session.begin_nested():
            session.execute(update(posts).where(posts.c.id == 1).values(status="pending"))
        assert heard == []
        session.execute(update(posts).where(posts.c.id == 1).values(status="hidden"))
        assert heard == []


EVERY_WRITE = [
    ("posts", "insert", ({"id": 1, "status": "published"},)),
    ("posts", "update", ({"id": 1},)),
    ("posts", "update", ({"id": 1},)),
]


def test_a_transaction_past_a_savepoint_is_announced_whole_after_its_commit(database, heard):
    _unit_of_work_past_a_savepoint(database, heard)
    assert heard == [EVERY_WRITE]


def test_a_session_pinned_to_a_connection_announces_its_own_writes_when_it_commits(
        database, heard):
    connection = database.engine.connect()
    outer = connection.begin()
    try:
        database.bind(connection)
        _unit_of_work_past_a_savepoint(database, heard)
        assert heard == [EVERY_WRITE]
        with database.unit_of_work() as session:  # the next one: only its own
            session.execute(update(posts).where(posts.c.id == 1).values(status="published"))
        assert heard == [EVERY_WRITE, [("posts", "update", ({"id": 1},))]]
    finally:
        outer.rollback()
        connection.close()


def test_a_rolled_back_savepoint_is_announced_with_the_commit_a_rolled_back_unit_never(
        database, heard):
    """Announcing a write a savepoint undid purges a little more than needed, which is
    safe; a unit of work rolled back wrote nothing anyone could have read."""
    with database.unit_of_work() as session:
        session.execute(insert(posts).values(id=1, status="published"))
        savepoint = session.begin_nested()
        session.execute(update(posts).where(posts.c.id == 1).values(status="hidden"))
        savepoint.rollback()
    assert heard == [EVERY_WRITE[:2]]
    with pytest.raises(RuntimeError), database.unit_of_work() as session:
        session.execute(update(posts).where(posts.c.id == 1).values(status="hidden"))
        with session.begin_nested():
            session.execute(update(posts).where(posts.c.id == 1).values(status="pending"))
        raise RuntimeError
    assert heard == [EVERY_WRITE[:2]]


def _listening() -> tuple[Any, list[int]]:
    from blinker import Namespace

    signal = Namespace().signal("test-revoked")
    sent: list[int] = []
    signal.connect(lambda sender, **_kw: sent.append(sender), weak=False)
    return signal, sent


def test_an_account_signal_waits_for_the_outermost_commit_past_savepoints(
        database: Database) -> None:
    """A revocation announced in a unit of work is sent once, after its commit: not when a
    savepoint of it is released (the revocation is not committed yet), and not forgotten when
    a later savepoint rolls back (an `IntegrityError` caught in a savepoint is ordinary)."""
    from forum.signals import announce_after_commit

    signal, sent = _listening()
    with database.unit_of_work() as session:
        announce_after_commit(session, signal, 7)
        with session.begin_nested():
            session.execute(insert(posts).values(id=1, status="published"))
        assert sent == []
        nested = session.begin_nested()
        session.execute(insert(posts).values(id=2, status="published"))
        nested.rollback()
        assert sent == []
    assert sent == [7]


def test_an_account_signal_of_a_rolled_back_unit_of_work_is_never_sent(
        database: Database) -> None:
    from forum.signals import announce_after_commit

    signal, sent = _listening()
    with pytest.raises(RuntimeError), database.unit_of_work() as session:
        announce_after_commit(session, signal, 7)
        raise RuntimeError("the unit of work fails")
    assert sent == []
