"""The database layer's sessions on a real PostgreSQL (not the tests' shared transaction)."""

from __future__ import annotations

from psycopg.pq import TransactionStatus
from sqlalchemy import func, select

from forum.db import Database, make_engine
from forum.models.safety import AuditEntry
from tests.conftest import new_database


def _server_side_status(session):
    return session.connection().connection.driver_connection.info.transaction_status


def test_reading_sessions_run_without_a_transaction_and_keep_their_audit_row(tmp_path):
    """A read-only view's session opens no transaction on the server (the BEGIN and COMMIT
    round trips are saved on every page), while an ordinary session is one transaction; the
    single audit row a read may write (a moderator looking at an anonymous author) is
    stored all the same."""
    url = new_database("postgresql", str(tmp_path))
    engine = make_engine(url)
    database = Database(engine)
    try:
        reading = database.new_session(reading=True)
        reading.scalar(select(func.count()).select_from(AuditEntry))
        assert _server_side_status(reading) == TransactionStatus.IDLE
        reading.add(AuditEntry(actor_id=None, action="author.reveal", details={}))
        reading.commit()
        reading.close()
        with database.unit_of_work() as session:
            assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1
            assert _server_side_status(session) == TransactionStatus.INTRANS
        # The pooled connection went back to transactional use for the next borrower.
        with database.unit_of_work() as session:
            session.scalar(select(func.count()).select_from(AuditEntry))
            assert _server_side_status(session) == TransactionStatus.INTRANS
    finally:
        engine.dispose()
