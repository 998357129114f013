"""The `forum` commands, through Flask's CLI runner (the same commands as the console script)."""

from __future__ import annotations

from sqlalchemy import select

from forum.models import Board, User
from forum.models.defaults import BOARDS


def test_create_user_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "zara_admin", "--role", "moderator"],
                           input="a long and quiet river 7\n")
    assert result.exit_code == 0, result.output
    session = app.extensions["forum.db"].new_session()
    user = session.scalar(select(User).where(User.handle == "zara_admin"))
    assert user is not None and user.role == "moderator"
    assert "a long and quiet river" not in user.password_hash


def test_create_user_refuses_a_weak_password_with_a_message(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "zara2"], input="short\n")
    assert result.exit_code == 1
    assert "password" in result.output


def test_seed_adds_the_boards_once(app):
    from forum.ops.seed import seed_database

    session = app.extensions["forum.db"].new_session()
    assert seed_database(session) == len(BOARDS)
    session.commit()
    assert seed_database(session) == 0
    visibilities = dict(session.execute(select(Board.slug, Board.visibility)).all())
    assert visibilities["counsellors"] == "counsellors"
    assert all(description for (_s, _n, description, _v) in BOARDS)
