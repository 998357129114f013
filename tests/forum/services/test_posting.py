"""The posting service called directly: the screener seam, sanctions and blocks."""

from __future__ import annotations

import datetime as dt

import pytest

from forum.errors import Blocked, ContentBlocked, Muted
from forum.models import Block, Board, Sanction, User
from forum.policy import Actor
from forum.screening import PassThroughScreener, Screening, Submission
from forum.services import posting


class RecordingScreener:
    """A screener that answers what the test says and remembers what it was asked."""

    def __init__(self, answer: Screening) -> None:
        self.answer = answer
        self.seen: list[Submission] = []
        self.recorded: list[tuple[str, int]] = []

    def screen(self, session, submission):
        self.seen.append(submission)
        return self.answer

    def record(self, session, submission, screening, target_type, target_id):
        self.recorded.append((target_type, target_id))


@pytest.fixture
def setup(db_session, make_user):
    member = make_user()
    other = make_user()
    board = Board(slug="svc", name="Svc", description="", visibility="public")
    db_session.add(board)
    db_session.flush()
    user = db_session.get(User, member.id)
    return db_session, Actor.of(user, require_totp=True), board, db_session.get(User, other.id)


def test_every_post_goes_through_the_screener(setup):
    session, actor, board, _ = setup
    screener = RecordingScreener(Screening(status="published"))
    done = posting.create_thread(session, actor, screener, board, title="Hi", body="Hello")
    assert screener.seen[0].text == "Hi\nHello" and screener.seen[0].kind == "thread"
    assert screener.recorded == [("post", done.post.id)]
    assert board.thread_count == 1 and done.thread.post_count == 1


def test_a_held_post_is_pending_and_not_counted(setup):
    session, actor, board, _ = setup
    held = RecordingScreener(Screening(status="pending", reasons=("personal_info:phone",)))
    done = posting.create_thread(session, actor, held, board, title="Hi", body="0300-1234567")
    assert done.post.status == "pending" and done.thread.status == "pending"
    assert board.thread_count == 0


def test_a_blocked_post_is_refused_and_nothing_is_written(setup):
    session, actor, board, _ = setup
    refusing = RecordingScreener(Screening(status="blocked", reasons=("rule:1:block",)))
    with pytest.raises(ContentBlocked) as caught:
        posting.create_thread(session, actor, refusing, board, title="Hi", body="bad")
    assert caught.value.reasons == ["rule:1:block"]
    assert refusing.recorded == []
    assert board.thread_count == 0


def test_censored_text_is_what_gets_rendered(setup):
    session, actor, board, _ = setup
    masking = RecordingScreener(
        Screening(status="published", censored_text="Hi\nyou ***", reasons=("lexicon:x",))
    )
    done = posting.create_thread(session, actor, masking, board, title="Hi", body="you pig!")
    # The censored text is only used when it lines up with the original (same length).
    assert "pig" in done.post.body_html
    masking.answer = Screening(status="published", censored_text="Hi\nyou ***!")
    done = posting.create_thread(session, actor, masking, board, title="Hi", body="you pig!")
    assert done.post.body_html == "<p>you ***!</p>" and done.post.body == "you pig!"


def test_a_muted_member_cannot_post(setup):
    session, actor, board, _ = setup
    session.add(Sanction(user_id=actor.id, kind="mute", reason="cool down",
                         ends_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)))
    session.flush()
    with pytest.raises(Muted):
        posting.create_thread(session, actor, PassThroughScreener(), board, title="t", body="b")


def test_replying_to_someone_who_blocked_you_is_refused(setup):
    session, actor, board, other = setup
    done = posting.create_thread(session, actor, PassThroughScreener(), board, title="t", body="b")
    session.add(Block(blocker_id=actor.id, blocked_id=other.id))
    session.flush()
    other_actor = Actor.of(other, require_totp=True)
    with pytest.raises(Blocked):
        posting.reply(session, other_actor, PassThroughScreener(), done.thread, board, body="hey")
    with pytest.raises(Blocked):
        posting.react(session, other_actor, done.post, "support")
