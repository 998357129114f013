"""Shared fixtures: an app per test on SQLite and on PostgreSQL, rolled back after each test.

The schema is built once per backend by the real Alembic migrations; each test then runs inside
an outer transaction that is rolled back (SQLAlchemy's "joining a session into an external
transaction" recipe), so tests are isolated and fast. Under CI=true a missing PostgreSQL is a
failure, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from forum import create_app
from forum.db import make_engine

#: The shared Chromium (one per session, whichever suite asks first).
pytest_plugins = ("tests.chromium",)

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get(
    "FORUM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TEST_SETTINGS: dict[str, Any] = {
    "TESTING": True,
    "FORUM_SECRET_KEY": "test-secret-key-not-for-production",
    "FORUM_ARGON2_TIME_COST": 1,
    "FORUM_ARGON2_MEMORY_KIB": 1024,
    "FORUM_STAFF_REQUIRE_TOTP": True,
}


def service_unavailable(what: str, why: Exception | str) -> None:
    """Skip on a laptop without the service; fail under CI, where it must be there."""
    message = f"{what} is not reachable: {why}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Backend:
    name: str
    url: str
    engine: Engine


def _create_postgres_database() -> str:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"saheli_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def migrate(url: str, instance: str) -> None:
    """Build the schema the way production does: the Alembic migrations."""
    from forum.ops.commands import upgrade_database

    app = create_app({**TEST_SETTINGS, "INSTANCE_PATH": instance, "FORUM_DATABASE_URL": url})
    with app.app_context():
        upgrade_database(app)
    app.extensions["forum.db"].engine.dispose()


def new_database(kind: str, tmp_dir: str) -> str:
    """A fresh, migrated database of `kind` ("sqlite" or "postgresql"); returns its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_dir}/saheli-{uuid.uuid4().hex[:8]}.sqlite3"
    else:
        try:
            url = _create_postgres_database()
        except Exception as exc:  # noqa: BLE001
            service_unavailable("PostgreSQL", exc)
    migrate(url, tmp_dir)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    tmp_dir = str(tmp_path_factory.mktemp(request.param))
    url = new_database(request.param, tmp_dir)
    engine = make_engine(url)
    yield Backend(request.param, url, engine)
    engine.dispose()
    if request.param == "postgresql":
        _drop_postgres_database(url)


class QueryCounter:
    """Counts SQL statements sent on a connection."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []
        self.executed: list[tuple[str, Any]] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        self.count += 1
        self.statements.append(statement)
        self.executed.append((statement, parameters))


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Extra settings for the `app` fixture; a test module overrides this fixture to change
    them (the hostile-input suite switches the abuse limits off)."""
    return {}


@pytest.fixture
def app(backend: Backend, tmp_path: Any, app_settings: dict[str, Any]) -> Iterator[Any]:
    application = create_app(
        {**TEST_SETTINGS, "INSTANCE_PATH": str(tmp_path), "FORUM_DATABASE_URL": backend.url,
         **app_settings}
    )
    connection = backend.engine.connect()
    outer = connection.begin()
    application.extensions["forum.db"].bind(connection)
    counter = QueryCounter()
    event.listen(connection, "before_cursor_execute", counter)
    application.extensions["test.query_counter"] = counter
    yield application
    event.remove(connection, "before_cursor_execute", counter)
    outer.rollback()
    connection.close()
    application.extensions["forum.db"].engine.dispose()


@pytest.fixture
def http() -> Iterator[Any]:
    """A `requests` session for tests that talk to live servers over HTTP."""
    import requests

    with requests.Session() as session:
        yield session


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def queries(app: Any) -> QueryCounter:
    return app.extensions["test.query_counter"]


@pytest.fixture
def db_session(app: Any) -> Iterator[Any]:
    """A session in the test's transaction, for calling services directly."""
    session = app.extensions["forum.db"].new_session()
    yield session
    session.close()


@dataclass
class Member:
    """A test account and its bearer token."""

    id: int
    handle: str
    role: str
    token: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_user(app: Any) -> Any:
    """Create an account directly (staff get TOTP enrolled unless `totp=False`)."""
    import datetime as dt

    import pyotp

    from forum.db import utcnow
    from forum.models.user import Role
    from forum.services import accounts

    counter = {"n": 0}

    def make(role: str = "member", handle: str | None = None, *, totp: bool = True) -> Member:
        counter["n"] += 1
        handle = handle or f"tester{counter['n']}_{uuid.uuid4().hex[:6]}"
        password = "correct horse battery staple 42"
        with app.app_context():
            database = app.extensions["forum.db"]
            with database.unit_of_work() as session:
                user = accounts.create_account(
                    session, handle=handle, password=password, role=Role(role)
                )
                if role != "member" and totp:
                    user.totp_secret = pyotp.random_base32()
                    user.totp_enabled_at = utcnow()
                token, _row = accounts.issue_token(
                    session, user, kind="bearer", lifetime=dt.timedelta(days=1)
                )
                user_id = user.id
        return Member(user_id, handle, role, token, password)

    return make


@pytest.fixture
def make_board(app: Any) -> Any:
    from forum.models.board import Board

    def make(slug: str = "talk", visibility: str = "public") -> str:
        with app.app_context():
            with app.extensions["forum.db"].unit_of_work() as session:
                session.add(Board(slug=slug, name=slug.title(), description="", visibility=visibility))
        return slug

    return make
