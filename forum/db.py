"""The database layer: declarative base, column types, engine, and one session per unit of work.

Services receive a session and only flush; the request (or socket event) that called them
commits once at the end and rolls back on error (STYLE.md, convention 3).
"""

from __future__ import annotations

import _socket
import contextlib
import datetime as dt
import re
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, cast

from flask import Flask, current_app, g
from sqlalchemy import (
    BigInteger,
    DateTime,
    Delete,
    Insert,
    Integer,
    MetaData,
    String,
    Table,
    Update,
    create_engine,
    event,
    exc,
)
from sqlalchemy.engine import Connection, CursorResult, Engine, Result
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ColumnClause,
)
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed. `Session.execute` is typed as returning a
    `Result`; for those statements it is a `CursorResult`, which alone has `rowcount`."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC: every `*_at` column holds one of these."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that always comes back timezone-aware in UTC, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# Integer ids that are BIGINT on PostgreSQL and INTEGER (rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")

intpk = Annotated[int, mapped_column(BigId, primary_key=True, autoincrement=True)]
timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow, nullable=False)]
optional_timestamp = Annotated[dt.datetime | None, mapped_column(UTCDateTime(), nullable=True)]
str32 = Annotated[str, mapped_column(String(32))]
str64 = Annotated[str, mapped_column(String(64))]
str200 = Annotated[str, mapped_column(String(200))]


class Base(DeclarativeBase):
    """The declarative base of every table, with a naming convention Alembic can rely on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy own BEGIN on SQLite, so savepoints and rollbacks behave as on PostgreSQL.

    The sqlite3 module otherwise opens transactions lazily and commits around DDL on its own.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")


def server_hung_up(dbapi_connection: Any) -> bool:
    """Whether PostgreSQL has closed (or written unasked to) an idle pooled connection.

    An idle connection has nothing to read; when the server terminates it (a restart, a
    failover, `pg_terminate_backend`, an idle timeout) its socket turns readable: an error
    message, then end of file. A non-blocking peek at the socket tells, without the round
    trip a `SELECT 1` pre-ping costs on every checkout. `_socket` is the C socket module,
    which gevent does not patch, so the peek never yields to the hub.
    """
    try:
        fd = dbapi_connection.pgconn.socket
    except Exception:  # noqa: BLE001 - closed or broken: libpq no longer has a socket
        return True
    sock = _socket.socket(fileno=fd)
    try:
        sock.recv(1, _socket.MSG_PEEK | _socket.MSG_DONTWAIT)
        return True  # end of file, or bytes nobody asked for: not a usable connection
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.detach()


DATABASE_KEY = "forum.database"
_WROTE = "forum.wrote"
_PENDING = "forum.writes"  # on a connection's info: writes of its open transaction
_COMMITTED = "forum.committed"  # on a connection's info: committed, not yet announced
_CONNECTIONS = "forum.connections"  # on a session's info: the info of its connections


@dataclass(frozen=True, slots=True)
class Write:
    """One write statement, as the engine executed it: which table, which verb, and what can
    be read of the rows it touched without another query.

    `rows`: for an INSERT, the values of each inserted row; for an UPDATE or DELETE, for each
    set of parameters, the `column = value` conditions its WHERE is an AND of (conditions of
    other shapes only narrow the rows and are left out); None when the rows cannot be read
    (INSERT ... SELECT, a WHERE with OR). `sets`: the columns an UPDATE assigned. `table`
    None: a statement the engine could not read (raw SQL, DDL): whoever listens must assume
    anything changed."""

    table: str | None
    verb: str
    rows: tuple[dict[str, Any], ...] | None = None
    sets: frozenset[str] = frozenset()


_RAW_WRITE = re.compile(
    r"\s*(INSERT|UPDATE|DELETE|TRUNCATE|ALTER|DROP|CREATE|MERGE|REPLACE|COPY)\b", re.I)
_SET_CLAUSE = re.compile(r"\bSET\s+(.*?)(?:\sWHERE\s|\sRETURNING\s|$)", re.I | re.S)
_SET_COLUMN = re.compile(r'(?:^|,)\s*"?(\w+)"?\s*=')


def _equalities(clause: Any, compiled: Any, params: dict[str, Any]) -> dict[str, Any] | None:
    """`{column: value}` of a WHERE that is an AND of conditions, from its `column = bound
    value` ones (the others only narrow the rows); None for any other shape (an OR)."""
    found: dict[str, Any] = {}

    def walk(node: Any) -> bool:
        if isinstance(node, BooleanClauseList):
            return node.operator is operators.and_ and all(walk(part) for part in node.clauses)
        if isinstance(node, BinaryExpression):
            if (node.operator is operators.eq and isinstance(node.left, ColumnClause)
                    and isinstance(node.right, BindParameter)):
                name = compiled.bind_names.get(node.right)
                if name in params:
                    found[node.left.name] = params[name]
            return True
        return not isinstance(node, (BooleanClauseList,)) and node is not None

    if clause is None or not walk(clause):
        return None
    return found


def describe_write(statement: str, context: Any) -> Write | None:
    """The `Write` a statement made, or None when it wrote nothing."""
    compiled = getattr(context, "compiled", None)
    dml = getattr(compiled, "statement", None)
    if isinstance(dml, (Insert, Update, Delete)) and isinstance(dml.table, Table):
        table = dml.table.name
        params = context.compiled_parameters or [{}]
        if isinstance(dml, Insert):
            if dml.select is not None:
                return Write(table, "insert")
            return Write(table, "insert", tuple(params))
        found = [_equalities(dml.whereclause, compiled, p) for p in params]
        rows = None if any(f is None for f in found) else tuple(f or {} for f in found)
        if isinstance(dml, Delete):
            return Write(table, "delete", rows)
        clause = _SET_CLAUSE.search(statement)
        sets = frozenset(_SET_COLUMN.findall(clause.group(1))) if clause else frozenset({"?"})
        return Write(table, "update", rows, sets)
    if _RAW_WRITE.match(statement):
        return Write(None, "unknown")
    return None


class _Level:
    """The writes of one level of a connection's transaction: the transaction itself, or one
    savepoint inside it."""

    __slots__ = ("commits", "writes")

    def __init__(self) -> None:
        #: A session's whole unit of work, joined to a transaction it does not own through
        #: this savepoint (`Database.bind`): releasing it is that session's commit.
        self.commits = False
        self.writes: list[Write] = []


def _levels(conn: Connection) -> list[_Level]:
    """The open levels of `conn`'s transaction, outermost first."""
    levels: list[_Level] | None = conn.info.get(_PENDING)
    if levels is None:
        levels = conn.info[_PENDING] = [_Level()]
    return levels


def _record_write(conn: Connection, _cursor: Any, statement: str, _parameters: Any,
                  context: Any, _executemany: bool) -> None:
    write = describe_write(statement, context)
    if write is None:
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT" or (
            not conn.in_transaction()):
        conn.info.setdefault(_COMMITTED, []).append(write)  # already committed
    else:
        _levels(conn)[-1].writes.append(write)


def _savepoint(conn: Connection, _name: str | None) -> None:
    _levels(conn).append(_Level())


def _leave_savepoint(conn: Connection, *, released: bool) -> None:
    """The innermost savepoint ends (savepoints end innermost first). Its writes go to the
    enclosing level, whether it was released or rolled back: only the outermost commit makes
    them visible to others, so only it announces them (announcing a write that was rolled
    back purges a little more than needed; dropping one that lands would leave a stale
    page). The exception is a savepoint that is a session's whole unit of work
    (`Database.bind`): its release is that session's commit, its rollback discards."""
    levels = _levels(conn)
    if len(levels) < 2:
        return  # begun before this engine was watched: its writes are in the outer level
    ended = levels.pop()
    if not ended.commits:
        levels[-1].writes.extend(ended.writes)
    elif released and ended.writes:
        conn.info.setdefault(_COMMITTED, []).extend(ended.writes)


def _releasing(conn: Connection, _name: str, _context: Any) -> None:
    _leave_savepoint(conn, released=True)


def _rolling_back_to(conn: Connection, _name: str, _context: Any) -> None:
    _leave_savepoint(conn, released=False)


def _committing(conn: Connection) -> None:
    levels = conn.info.pop(_PENDING, None)
    writes = [w for level in levels or () for w in level.writes]
    if writes:
        conn.info.setdefault(_COMMITTED, []).extend(writes)


def _rolling_back(conn: Connection) -> None:
    conn.info.pop(_PENDING, None)


def _announce(info: dict[str, Any], database: Database | None) -> None:
    """Tell the listeners of what `info`'s connection has committed (once)."""
    writes = info.pop(_COMMITTED, None)
    if writes and database is not None:
        for listener in database.after_write_commit:
            listener(writes)


@event.listens_for(Session, "after_begin")
def _began(session: Session, transaction: Any, connection: Connection) -> None:
    known = session.info.setdefault(_CONNECTIONS, [])
    if not any(info is connection.info for info in known):
        known.append(connection.info)
    database = session.info.get(DATABASE_KEY)
    if database is not None:
        connection.info[DATABASE_KEY] = database
        _watch_writes(connection.engine)
    if transaction.parent is None and connection.in_nested_transaction():
        # The session joined a transaction it does not own through a savepoint (the one
        # just begun): its release is this session's commit.
        levels = _levels(connection)
        if len(levels) > 1:
            levels[-1].commits = True


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its writes are announced with the outermost commit
    session.info.pop(_WROTE, None)
    database = session.info.get(DATABASE_KEY)
    for info in session.info.pop(_CONNECTIONS, ()):
        _announce(info, database)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_WROTE, None)


_WATCHED: weakref.WeakSet[Engine] = weakref.WeakSet()


def _watch_writes(engine: Engine) -> None:
    """Every write statement, whatever sent it (the ORM's flush, a Core insert, raw SQL), is
    recorded on its connection; when the outermost transaction commits it is announced to the
    `after_write_commit` of the connection's database (after the session's commit, or when
    the connection goes back to the pool if no session owned it). A savepoint's writes wait
    for that commit like the others: a savepoint released is not yet a commit anyone else
    can read, and announcing then would let a reader store the old page again before the
    commit (`_leave_savepoint`)."""
    if engine in _WATCHED:
        return
    _WATCHED.add(engine)
    event.listen(engine, "after_cursor_execute", _record_write)
    event.listen(engine, "savepoint", _savepoint)
    event.listen(engine, "release_savepoint", _releasing)
    event.listen(engine, "rollback_savepoint", _rolling_back_to)
    event.listen(engine, "commit", _committing)
    event.listen(engine, "rollback", _rolling_back)

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info.pop(_PENDING, None)
            _announce(record.info, record.info.get(DATABASE_KEY))


def make_engine(url: str, settings: dict[str, Any] | None = None) -> Engine:
    """Create the engine for `url` with the pool settings of the configuration."""
    settings = settings or {}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})
        _sqlite_transactions(engine)
        if ":memory:" not in url:

            @event.listens_for(engine, "connect")
            def _wal(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.execute("PRAGMA journal_mode=WAL")

        return engine
    engine = create_engine(
        url,
        pool_size=int(settings.get("FORUM_DB_POOL_SIZE", 20)),
        max_overflow=int(settings.get("FORUM_DB_MAX_OVERFLOW", 0)),
        pool_timeout=int(settings.get("FORUM_DB_POOL_TIMEOUT", 10)),
        pool_recycle=1800,
    )

    @event.listens_for(engine, "checkout")
    def _drop_if_hung_up(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # The pool discards this connection and checks out another (SQLAlchemy's
        # "pessimistic disconnect handling, custom" recipe) instead of a per-checkout ping.
        if server_hung_up(dbapi_connection):
            raise exc.DisconnectionError("PostgreSQL closed this pooled connection")

    return engine


class Database:
    """Holds the engine and hands out sessions; `bind` lets tests pin it to one connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        #: Called with the `Write`s of each committed transaction that wrote, whatever path
        #: wrote (`forum.http.pagecache` purges what they touched).
        self.after_write_commit: list[Callable[[list[Write]], None]] = []
        _watch_writes(engine)

        @event.listens_for(engine, "engine_connect")
        def _owned(connection: Connection) -> None:
            connection.info.setdefault(DATABASE_KEY, self)
        info = {DATABASE_KEY: self}
        self._factory: Callable[[], Session] = sessionmaker(
            engine, expire_on_commit=False, info=info
        )
        self._reading_factory = self._factory
        #: Held for each unit of work while the database is pinned to one connection (`bind`):
        #: a background task (trailing presence) and a socket event must not interleave
        #: savepoints on that one connection. Unpinned, each unit of work has its own.
        self._pinned: threading.RLock | None = None
        if engine.dialect.name == "postgresql":
            # Reads need no transaction: each statement sees committed data (READ COMMITTED
            # gives a statement no more than that inside a transaction either), and a hot
            # page saves the BEGIN and COMMIT round trips. psycopg switches autocommit on the
            # client side, so the switch itself costs nothing.
            self._reading_factory = sessionmaker(
                engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False, info=info,
            )

    def bind(self, connection: Connection) -> None:
        """Make every new session join `connection`'s outer transaction through savepoints."""
        _watch_writes(connection.engine)  # before the first session's savepoint
        self._pinned = threading.RLock()
        self._factory = self._reading_factory = sessionmaker(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
            info={DATABASE_KEY: self},
        )

    def new_session(self, *, reading: bool = False) -> Session:
        """A new session, for work outside a request (commands, socket events). `reading`:
        for a view that only reads (or writes one audit row at most, itself atomic)."""
        return (self._reading_factory if reading else self._factory)()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits when the block succeeds and rolls back when it raises."""
        with self._pinned or contextlib.nullcontext():
            session = self.new_session()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()


def init_app(app: Flask) -> None:
    """Create the engine (lazily connecting) and close the request's session at teardown."""
    settings = app.config["FORUM"]
    app.extensions["forum.db"] = Database(make_engine(settings["FORUM_DATABASE_URL"], settings))

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def database() -> Database:
    """The application's database."""
    return current_app.extensions["forum.db"]


def session() -> Session:
    """The session of the current request or app context, created on first use."""
    current = g.get("db_session")
    if current is None:
        current = database().new_session(reading=g.get("db_reading", False))
        g.db_session = current
    return current
