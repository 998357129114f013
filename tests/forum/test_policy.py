"""The block rule's SQL form (used inside listings) equals its Python form (used on single
items), for every kind of viewer, named and anonymous content, and any set of blocks."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from forum.db import utcnow
from forum.models.board import Board, Post, Thread
from forum.models.safety import Block
from forum.models.user import User
from forum.policy import Actor, has_duty, hidden_by_block, not_hidden_by_block_sql

MEMBERS = 4


@given(data=st.data())
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_sql_block_rule_equals_the_python_one(data: Any, db_session: Any, make_user: Any,
                                                    make_board: Any) -> None:
    session = db_session
    if session.scalar(select(Thread.id).limit(1)) is None:
        _content(session, make_user, make_board)
    members = session.scalars(
        select(User).where(User.role == "member").order_by(User.id)).all()[:MEMBERS]
    moderator = session.scalar(select(User).where(User.role == "moderator"))
    pairs = [(a.id, b.id) for a, b in itertools.permutations(members, 2)]
    blocks = data.draw(st.sets(st.sampled_from(pairs), max_size=6), label="blocks")
    session.execute(delete(Block))
    session.add_all(Block(blocker_id=a, blocked_id=b) for a, b in blocks)
    session.flush()
    viewer = data.draw(st.sampled_from([None, moderator, *members]), label="viewer")
    actor = Actor.of(viewer, require_totp=True)
    condition = not_hidden_by_block_sql(
        Post.author_id, Post.is_anonymous, signed_in=viewer is not None, on_duty=has_duty(actor))
    shown_sql = set(session.scalars(
        select(Post.id).where(condition), {"viewer": actor.id}).all())
    shown_python = {
        post.id for post in session.scalars(select(Post))
        if not hidden_by_block(
            actor, anonymous=post.is_anonymous,
            blocked_either_way=viewer is not None and post.author_id is not None and (
                (viewer.id, post.author_id) in blocks or (post.author_id, viewer.id) in blocks),
        )
    }
    assert shown_sql == shown_python


def _content(session: Any, make_user: Any, make_board: Any) -> None:
    """Named and anonymous posts by each member, and one whose author erased her account."""
    for _ in range(MEMBERS):
        make_user()
    make_user("moderator")
    make_board("talk")
    board = session.scalar(select(Board).where(Board.slug == "talk"))
    authors = session.scalars(select(User).where(User.role == "member")).all()
    thread = Thread(board_id=board.id, author_id=authors[0].id, title="t", status="published",
                    created_at=utcnow(), last_post_at=utcnow())
    session.add(thread)
    session.flush()
    for author_id, anonymous in itertools.product([a.id for a in authors] + [None],
                                                  [False, True]):
        session.add(Post(thread_id=thread.id, author_id=author_id, is_anonymous=anonymous,
                         body="b", body_html="<p>b</p>", status="published",
                         created_at=utcnow()))
    session.flush()
