"""The `forum` commands: init-db, serve, create-user (also under `flask --app wsgi`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from forum import db
from forum.db import utcnow
from forum.errors import DomainError, Invalid
from forum.evidence import verify_chain
from forum.models.user import Role
from forum.ops.seed import seed_demo, seed_welcome
from forum.ops.server import serve
from forum.services import accounts, counters, notifications, rooms

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Any:
    """Alembic's configuration, pointed at the app's database (no alembic.ini needed).

    Alembic is imported here, not at the top: a serving process never loads it (about 11 MB
    per process), because `forum serve` migrates in a short-lived child process."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(app: Flask) -> None:
    """Apply every pending migration (init-db and serve both call this)."""
    from alembic import command

    cfg = alembic_config(app.config["FORUM"]["FORUM_DATABASE_URL"])
    engine = db.database().engine
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
        return
    # SQLite rebuilds tables to alter them (0002); dropping the old copy of a table others refer
    # to would fire their ON DELETE CASCADE. Enforcement can only be switched outside a
    # transaction; the result is checked before the migrations commit.
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def schema_revision(app: Flask) -> str | None:
    """The database's Alembic revision, or None for a database without Saheli's schema."""
    from alembic.runtime.migration import MigrationContext

    with db.database().engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()



def the_app() -> Flask:
    """The application itself, not the context-local proxy: what greenlets, threads and
    housekeeping get, since they run outside this context."""
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]  # LocalProxy's typing hides it

@click.command("init-db")
@click.option("--seed", is_flag=True,
              help="Add the default boards, welcoming threads and a room (once).")
@click.option("--demo", is_flag=True,
              help="Also add demo accounts (passwords printed) and an open room. Never for a "
                   "real forum.")
@with_appcontext
def init_db_command(seed: bool, demo: bool) -> None:
    """Create or upgrade the schema; with --seed, add the default boards and a first thread
    or two to answer; with --demo, accounts to try every role with."""
    app = the_app()
    before = schema_revision(app)
    upgrade_database(app)
    after = schema_revision(app)
    if before is None:
        click.echo(f"Database created (schema {after}).")
    elif before != after:
        click.echo(f"Database schema upgraded from {before} to {after}.")
    else:
        click.echo(f"Database schema is up to date ({after}).")
    if seed or demo:
        _seed(demo)


def _seed(demo: bool) -> None:
    with db.database().unit_of_work() as session:
        done = seed_welcome(session)
        extra = seed_demo(session) if demo else None
    click.echo(f"Seed data: {done.boards} boards, {done.threads} welcoming threads and "
               f"{done.rooms} room(s) added.")
    if extra is None:
        return
    click.echo(f"Demo: {extra.rooms} open room(s) added. Demo accounts (shown once; for trying "
               "Saheli out only):")
    for handle, role, password in extra.accounts:
        click.echo(f"  {role:<10} {handle:<16} password: {password}")
    if not extra.accounts:
        click.echo("  (the demo accounts exist already; their passwords were shown when they "
                   "were made)")


@click.command("create-user")
@click.argument("handle")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default="member", show_default=True
)
@with_appcontext
def create_user_command(handle: str, role: str) -> None:
    """Create an account; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with db.database().unit_of_work() as session:
            user = accounts.create_account(
                session, handle=handle, password=password, role=Role(role)
            )
            user_id = user.id
    except Invalid as exc:
        for field, problems in exc.errors.items():
            for problem in problems:
                click.echo(f"{field}: {problem}", err=True)
        raise SystemExit(1) from None
    except DomainError as exc:
        click.echo(exc.detail, err=True)
        raise SystemExit(1) from None
    click.echo(f"Created {role} {handle!r} (id {user_id}).")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=None, type=int, help="Default: $PORT or 5000.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes sharing the port (SO_REUSEPORT), each its own gevent loop; "
                   "more than one needs FORUM_REDIS_URL.")
@click.option("--worker", is_flag=True, hidden=True)
@with_appcontext
def serve_command(host: str, port: int | None, workers: int, worker: bool) -> None:
    """Serve HTTP and Socket.IO on one port with gevent, after applying migrations."""
    app = the_app()
    if worker:  # one of `--workers N`: the parent migrated
        serve(app, host, port, hourly=housekeeping, reuse_port=True)
        return
    if workers > 1 and not app.config["FORUM"].get("FORUM_REDIS_URL"):
        raise click.ClickException(
            "--workers above 1 needs FORUM_REDIS_URL: the workers share page-cache purges, "
            "room state and Socket.IO messages through Redis.")
    # Migrate in a child process (`forum init-db`, same environment): the server itself
    # never imports Alembic, and every byte matters with a thousand sockets per process.
    done = subprocess.run([sys.executable, "-m", "forum.ops.cli", "init-db"],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise click.ClickException(f"migrating the database failed:\n{done.stderr.strip()}")
    if workers == 1:
        serve(app, host, port, hourly=housekeeping)
        return
    run_workers(host, port or int(os.environ.get("PORT", "5000")), workers)


def run_workers(host: str, port: int, workers: int) -> None:
    """Start `workers` processes of `forum serve --worker` on one port and wait; SIGTERM and
    SIGINT are passed on to them, and if one dies the others are stopped too (a supervisor
    restarts the whole)."""
    import signal
    import time

    command = [sys.executable, "-m", "forum.ops.cli", "serve", "--host", host, "--port", str(port),
               "--worker"]
    children = [subprocess.Popen(command) for _ in range(workers)]

    def stop(*_args: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    stop()
    for child in children:
        child.wait()
    failed = [child.returncode for child in children if child.returncode not in (0, -15)]
    if failed:
        raise click.ClickException(f"a worker exited with {failed[0]}")


def housekeeping(app: Flask) -> int:
    """The hourly chores of `forum serve`: every retention rule (room messages, read
    notifications), shields that ended, and `Idempotency-Key` answers older than 24 hours."""
    from forum.api import idempotency

    removed = retention_sweep(app)
    end_expired_shields(app)
    with app.app_context(), db.database().unit_of_work() as session:
        return removed + idempotency.purge_expired(session)


def end_expired_shields(app: Flask) -> int:
    """Shields whose time is up end, each with its recap notification (issue #17)."""
    from forum.services import shield

    with app.app_context(), db.database().unit_of_work() as session:
        return shield.end_expired(session)


def purge_room_messages(app: Flask) -> int:
    """Delete room messages past their retention (kept while a report on them is open)."""
    with app.app_context(), db.database().unit_of_work() as session:
        return rooms.purge_expired_messages(
            session, utcnow(), int(app.config["FORUM"]["FORUM_ROOM_RETENTION_DAYS"])
        )


def purge_read_notifications(app: Flask) -> int:
    """Delete notifications read more than 30 days ago (issue #16)."""
    with app.app_context(), db.database().unit_of_work() as session:
        return notifications.purge_read(session)


def retention_sweep(app: Flask) -> int:
    """What `forum serve` runs hourly: every retention rule, each in its own unit of work."""
    return purge_room_messages(app) + purge_read_notifications(app)


@click.command("purge-notifications")
@with_appcontext
def purge_notifications_command() -> None:
    """Delete notifications read more than 30 days ago (`forum serve` does it hourly)."""
    removed = purge_read_notifications(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"Removed {removed} read notification(s) older than 30 days.")


@click.command("purge-rooms")
@with_appcontext
def purge_rooms_command() -> None:
    """Delete the messages of rooms closed more than FORUM_ROOM_RETENTION_DAYS ago."""
    removed = purge_room_messages(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"Removed {removed} room message(s) past their retention.")


@click.command("repair-counters")
@with_appcontext
def repair_counters_command() -> None:
    """Recompute every stored counter (thread, post and support counts); list what was off."""
    with db.database().unit_of_work() as session:
        fixed = counters.repair_counters(session)
    for one in fixed:
        click.echo(f"fixed {one}")
    click.echo(f"Checked every counter: {len(fixed)} fixed." if fixed
               else "Checked every counter: all true, nothing fixed.")


@click.command("verify-evidence")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_evidence_command(path: str) -> None:
    """Check that an evidence file from `GET /me/evidence` is intact (exit 0) or not (exit 1)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        click.echo(f"Cannot read {path}: {exc}", err=True)
        raise SystemExit(1) from None
    problems = verify_chain(document)
    if problems:
        for problem in problems:
            click.echo(f"NOT INTACT: {problem}", err=True)
        raise SystemExit(1)
    count = len(document["entries"])
    click.echo(f"Intact: {count} report(s), chain head {document['head'] or '(empty)'}.")


def register_commands(app: Flask) -> None:
    """Offer the commands under `flask --app wsgi` too."""
    for cmd in (init_db_command, create_user_command, serve_command, verify_evidence_command,
                purge_rooms_command, repair_counters_command, purge_notifications_command):
        app.cli.add_command(cmd)


def _make_app() -> Flask:
    from forum import create_app

    return create_app()


cli = FlaskGroup(create_app=_make_app, add_default_commands=False, add_version_option=False,
                 load_dotenv=False, help="Saheli forum commands.")
