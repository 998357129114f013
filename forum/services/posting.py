"""Posting: the one path every thread, reply and edit takes, through the screener.

Pages, the JSON API and (for room messages) sockets all call these functions, so the same
moderation pipeline, sanctions and blocks apply wherever a text comes from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from sqlalchemy import and_, delete, not_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from forum.audit import record_action
from forum.db import utcnow
from forum.errors import Forbidden, Invalid, Locked, NotFound
from forum.models.board import (
    Board,
    Post,
    PostStatus,
    Reaction,
    Thread,
    Visibility,
    change_post_status,
)
from forum.policy import (
    Actor,
    Permission,
    block_applies,
    can_edit_post,
    can_read_board,
    can_see_status,
    has_duty,
    named_author,
    not_hidden_by_block_sql,
    not_hidden_item_sql,
)
from forum.screening import Screener, Screening
from forum.services import notifications, shield
from forum.services.blocks import blocked_either_way, is_hidden_from
from forum.services.writing import (
    STANDING_CHECKED,
    Answering,
    assert_not_refused,
    write,
)
from forum.standing import assert_may_write

TITLE_MAX = 200
BODY_MAX = 20_000
WARNING_MAX = 200
REACTION_KINDS = frozenset({"support"})


@dataclass(frozen=True, slots=True)
class Published:
    """What creating content produced, with the screener's answer for the `moderation` field."""

    post: Post
    thread: Thread
    screening: Screening


def _plain_line(value: str | None, field: str, limit: int, *, required: bool) -> str | None:
    """Titles and content warnings are plain text on one line: no control characters."""
    text = " ".join((value or "").split())
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf"})
    if not text:
        if required:
            raise Invalid({field: ["This cannot be empty."]})
        return None
    if len(text) > limit:
        raise Invalid({field: [f"At most {limit} characters."]})
    return text


def _may_post_on(actor: Actor, board: Board) -> bool:
    if board.visibility == Visibility.COUNSELLORS:
        return can_read_board(actor, board.visibility)
    return actor.is_authenticated


def create_thread(
    session: Session,
    actor: Actor,
    screener: Screener,
    board: Board,
    *,
    title: str,
    body: str,
    content_warning: str | None = None,
    anonymous: bool = False,
) -> Published:
    """Open a thread with its first post. A held post makes a pending thread."""
    assert_may_write(session, actor.require_user())  # before telling her anything
    if not _may_post_on(actor, board):
        raise Forbidden("You cannot start threads on this board.")
    clean_title = _plain_line(title, "title", TITLE_MAX, required=True) or ""
    warning = _plain_line(content_warning, "content_warning", WARNING_MAX, required=False)
    written = write(session, actor, screener, kind="thread", body=body, limit=BODY_MAX,
                    place=board.slug, heading=clean_title, sanctions=STANDING_CHECKED)
    user, clean_body, screening = written.submission.author, written.text, written.screening
    clean_title = written.heading or clean_title
    now = utcnow()
    status = screening.status
    published = status == PostStatus.PUBLISHED
    thread = Thread(
        board_id=board.id,
        author_id=user.id,
        is_anonymous=bool(anonymous),
        title=clean_title,
        content_warning=warning,
        status=status,
        post_count=1 if published else 0,
        created_at=now,
        last_post_at=now,
    )
    session.add(thread)
    session.flush()
    post = Post(
        thread_id=thread.id,
        author_id=user.id,
        is_anonymous=bool(anonymous),
        is_opening=True,
        body=clean_body,
        body_html=written.html,
        content_warning=warning,
        status=status,
        created_at=now,
    )
    session.add(post)
    if published:
        # Counted in SQL, so concurrent posters never lose an increment.
        session.execute(
            update(Board)
            .where(Board.id == board.id)
            .values(thread_count=Board.thread_count + 1)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(board, "thread_count", board.thread_count + 1)
    session.flush()
    notifications.follow_on_write(session, user.id, thread.id)  # she follows her own threads
    screener.record(session, written.submission, screening, "post", post.id)
    return Published(post=post, thread=thread, screening=screening)


def load_thread(
    session: Session, actor: Actor, thread_id: int, *, for_write: bool = False
) -> tuple[Thread, Board]:
    """A thread the visitor may see, with its board; 404 otherwise.

    The block rule (`policy.hidden_by_block`) hides a named thread both ways. With
    `for_write` (replying, reacting) the block is left to the write itself, which answers 403
    `blocked` as API.md specifies."""
    query = select(Thread, Board).join(Board, Board.id == Thread.board_id)
    if not for_write:
        # The block rule rides along in the same round trip.
        signed_in = actor.is_authenticated
        query = query.add_columns(not_(and_(
            not_hidden_by_block_sql(Thread.author_id, Thread.is_anonymous, signed_in=signed_in,
                                    on_duty=has_duty(actor), viewer=actor.id),
            not_hidden_item_sql("thread", Thread.id, signed_in=signed_in, viewer=actor.id),
        )))
    row = session.execute(query.where(Thread.id == thread_id)).first()
    if row is None:
        raise NotFound("No such thread.")
    thread, board = row[0], row[1]
    if not can_read_board(actor, board.visibility) or not can_see_status(
        actor, thread.status, thread.author_id
    ):
        raise NotFound("No such thread.")
    if not for_write and row[2]:
        raise NotFound("No such thread.")
    return thread, board


def load_post(
    session: Session, actor: Actor, post_id: int, *, for_write: bool = False
) -> tuple[Post, Thread, Board]:
    """A post the visitor may see, with its thread and board; 404 otherwise (`for_write`: as
    in `load_thread`)."""
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound("No such post.")
    thread, board = load_thread(session, actor, post.thread_id, for_write=for_write)
    if not can_see_status(actor, post.status, post.author_id):
        raise NotFound("No such post.")
    if not for_write and (
        (block_applies(actor, anonymous=post.is_anonymous)
         and blocked_either_way(session, actor.id, post.author_id))
        or is_hidden_from(session, actor.id, "post", post.id)
    ):
        raise NotFound("No such post.")
    return post, thread, board


def reply(
    session: Session,
    actor: Actor,
    screener: Screener,
    thread: Thread,
    board: Board,
    *,
    body: str,
    reply_to: int | None = None,
    content_warning: str | None = None,
    anonymous: bool = False,
) -> Published:
    """Add a post to a thread. Locked threads take replies from moderators only; a member
    blocked by the thread's or the quoted post's author cannot reply (403 `blocked`)."""
    user = actor.require_user()
    assert_may_write(session, user)  # before telling her anything about the thread
    if not _may_post_on(actor, board):
        raise Forbidden("You cannot post on this board.")
    if thread.status != PostStatus.PUBLISHED and not actor.can(Permission.POST_MODERATE):
        raise Forbidden("This thread is not open for replies yet.")
    if thread.is_locked and not actor.can(Permission.POST_MODERATE):
        raise Locked("This thread is locked.")
    warning = _plain_line(content_warning, "content_warning", WARNING_MAX, required=False)
    answering = [Answering(thread.author_id, thread.is_anonymous,
                           "You cannot reply in this thread.")]
    target_author = named_author(thread.author_id, anonymous=thread.is_anonymous)
    if reply_to is not None:
        parent = session.get(Post, reply_to)
        if parent is None or parent.thread_id != thread.id:
            raise Invalid({"reply_to": ["That post is not in this thread."]})
        target_author = named_author(parent.author_id, anonymous=parent.is_anonymous)
        answering.insert(0, Answering(parent.author_id, parent.is_anonymous,
                                      "You cannot reply to this post."))
    written = write(session, actor, screener, kind="post", body=body, limit=BODY_MAX,
                    place=board.slug, answering=answering, reply_target_user_id=target_author,
                    sanctions=STANDING_CHECKED)
    clean_body, screening, submission = written.text, written.screening, written.submission
    # Her shield (issue #17): one look-up for the named members this reply answers.
    guard = shield.check_reply(
        session, actor, anonymous=bool(anonymous),
        answering=[target_author, named_author(thread.author_id, anonymous=thread.is_anonymous)])
    status = screening.status
    if guard.owner_id is not None:
        status = PostStatus.PENDING.value  # to its writer, exactly a moderation hold
    now = utcnow()
    post = Post(
        thread_id=thread.id,
        author_id=user.id,
        is_anonymous=bool(anonymous),
        body=clean_body,
        body_html=written.html,
        content_warning=warning,
        status=status,
        reply_to_id=reply_to,
        reply_to_author_id=target_author,
        created_at=now,
    )
    session.add(post)
    session.flush()
    if guard.owner_id is not None:
        shield.hold(session, guard, post, moderated=screening.status != PostStatus.PUBLISHED)
    else:
        shield.maybe_offer(session, guard, target_author, user.id, now)
    if status == PostStatus.PUBLISHED:
        # Counted in SQL, so concurrent replies never lose an increment.
        session.execute(
            update(Thread)
            .where(Thread.id == thread.id)
            .values(post_count=Thread.post_count + 1, last_post_at=now)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(thread, "post_count", thread.post_count + 1)
        set_committed_value(thread, "last_post_at", now)
        # Held content notifies when it is released (`notifications._notify_released`).
        notifications.notify_reply(session, post, thread, board)
    notifications.follow_on_write(session, user.id, thread.id)
    screener.record(session, submission, screening, "post", post.id)
    if status != screening.status:
        screening = replace(screening, status=status)
    return Published(post=post, thread=thread, screening=screening)


def edit_post(
    session: Session,
    actor: Actor,
    screener: Screener,
    post: Post,
    thread: Thread,
    board: Board,
    *,
    body: str,
) -> Published:
    """Change a post's text (its author, or a moderator); screened again like a new post."""
    user = actor.require_user()
    if not can_edit_post(actor, post.author_id):
        raise Forbidden("Only the author or a moderator can edit this post.")
    if post.status == PostStatus.REMOVED:
        raise Forbidden("A removed post cannot be edited.")
    is_moderating = user.id != post.author_id
    written = write(session, actor, screener, kind="edit", body=body, limit=BODY_MAX,
                    place=board.slug, reply_target_user_id=post.reply_to_author_id,
                    sanctions=STANDING_CHECKED if is_moderating else None)
    screening, submission = written.screening, written.submission
    post.body = written.text
    post.body_html = written.html
    post.edited_at = utcnow()
    if screening.status == PostStatus.PENDING and post.status == PostStatus.PUBLISHED:
        change_post_status(post, thread, board, PostStatus.PENDING.value)
    if is_moderating:
        record_action(session, actor, "post.edit", "post", post.id)
    screener.record(session, submission, screening, "post", post.id)
    return Published(post=post, thread=thread, screening=screening)


def delete_post(session: Session, actor: Actor, post: Post, thread: Thread, board: Board) -> None:
    """Authors delete their words for good; a moderator's removal keeps them for review."""
    user = actor.require_user()
    if not can_edit_post(actor, post.author_id):
        raise Forbidden("Only the author or a moderator can delete this post.")
    change_post_status(post, thread, board, PostStatus.REMOVED.value)
    if user.id == post.author_id:
        post.body = ""
        post.body_html = ""
    else:
        record_action(session, actor, "post.remove", "post", post.id)


def react(session: Session, actor: Actor, post: Post, kind: str) -> bool:
    """Add a reaction; True if it is new (reacting twice changes nothing)."""
    user = actor.require_user()
    if kind not in REACTION_KINDS:
        raise Invalid({"kind": ["The only reaction is 'support'."]})
    assert_may_write(session, user)
    if post.status != PostStatus.PUBLISHED:
        raise Forbidden("You can react to published posts only.")
    assert_not_refused(session, actor, [Answering(post.author_id, post.is_anonymous,
                                                  "You cannot react to this post.")])
    exists = session.get(Reaction, (post.id, user.id, kind))
    if exists is not None:
        return False
    # A support held by her shield is kept, but neither counted nor told (issue #17).
    held = shield.holds_support(session, actor, post)
    try:
        with session.begin_nested():
            session.add(Reaction(post_id=post.id, user_id=user.id, kind=kind, is_held=held))
            session.flush()
    except IntegrityError:
        return False
    if held:
        return True
    # In SQL, so members supporting one post at once never lose a count.
    post.support_count = Post.support_count + 1  # type: ignore[assignment]  # SQL, at flush
    session.flush()  # the answer reads the count back
    notifications.notify_support(session, post, user.id)
    return True


def unreact(session: Session, actor: Actor, post: Post, kind: str) -> None:
    """Take a reaction back (nothing happens if there was none)."""
    user = actor.require_user()
    if kind not in REACTION_KINDS:
        raise Invalid({"kind": ["The only reaction is 'support'."]})
    # A held support was never counted (`react`): only a counted one is taken back.
    result = session.execute(
        delete(Reaction).where(
            Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == kind
        ).returning(Reaction.is_held)
    )
    removed = result.first()
    if removed is not None and not removed[0]:
        # Her reaction row was there, so its count is in the post's: take it back in SQL.
        post.support_count = Post.support_count - 1  # type: ignore[assignment]  # SQL, at flush
        session.flush()
