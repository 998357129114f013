"""Boards, threads, posts and reactions: the discussion side of Saheli."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false, text, update
from sqlalchemy.orm import Mapped, mapped_column, object_session
from sqlalchemy.orm.attributes import set_committed_value

from forum.db import Base, BigId, UTCDateTime, intpk, optional_timestamp, rows_affected, timestamp, utcnow


class Visibility(enum.StrEnum):
    """Who may read a board: everyone, signed-in members, or counsellors and staff only."""

    PUBLIC = "public"
    MEMBERS = "members"
    COUNSELLORS = "counsellors"


class PostStatus(enum.StrEnum):
    """Where a post stands: `pending` and `hidden` are visible only to its author and moderators."""

    PUBLISHED = "published"
    PENDING = "pending"
    HIDDEN = "hidden"
    REMOVED = "removed"


class Board(Base):
    """A discussion board; `thread_count` counts published threads, kept on write."""

    __tablename__ = "boards"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC.value)
    position: Mapped[int] = mapped_column(Integer, default=0)
    thread_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[timestamp]


class Thread(Base):
    """A conversation on a board. `status` follows its opening post."""

    __tablename__ = "threads"
    __table_args__ = (
        # The board listing: pinned first, then by last activity, with a stable tie-break.
        Index("ix_threads_board_listing", "board_id", "is_pinned", "last_post_at", "id"),
        Index("ix_threads_author_id", "author_id"),
        {"sqlite_autoincrement": True},  # ids are never handed out twice (issue #12)
    )

    id: Mapped[intpk]
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200))
    content_warning: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.PUBLISHED.value)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[timestamp]
    last_post_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Post(Base):
    """A message in a thread. The Markdown source and its sanitised HTML are both stored,
    so reading never renders (sanitise on write)."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_thread_listing", "thread_id", "id"),
        Index("ix_posts_author_created", "author_id", "created_at"),
        # Replies to one member in a time window: shield mode's offer (issue #17).
        Index("ix_posts_reply_to_author", "reply_to_author_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The thread's first post: its status is the thread's status.
    is_opening: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Set when the author erased her account but chose to keep her words.
    is_author_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    content_warning: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.PUBLISHED.value)
    reply_to_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="SET NULL")
    )
    #: The author whose post this one replies to (blocks and flood detection read it).
    reply_to_author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[timestamp]
    edited_at: Mapped[optional_timestamp]


class Reaction(Base):
    """A `support` reaction: one per member, kind and post."""

    __tablename__ = "reactions"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: Held by the post author's shield: not counted, not notified (issue #17).
    is_held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[timestamp]


#: `session.info` key: ids of posts moved to `published` from a hold in this unit of work.
POSTS_RELEASED = "forum.posts_released"


def change_post_status(post: Post, thread: Thread, board: Board, new_status: str) -> None:
    """Move a post to `new_status`, keeping the denormalised counters true.

    `thread.post_count` counts published posts and `board.thread_count` published threads;
    an opening post carries its thread with it. The move is conditional on the status it was
    read with, and counters change in SQL (`n = n + 1`), so two requests racing on one post
    (deleted twice at once) or on one thread (replies and deletes together) never lose or
    double a count: the second mover finds the post already moved and changes nothing.
    """
    old_status = post.status
    if old_status == new_status:
        return
    session = object_session(post)
    if session is not None and post.id is not None:
        moved = session.execute(
            update(Post)
            .where(Post.id == post.id, Post.status == old_status)
            .values(status=new_status)
            .execution_options(synchronize_session=False)
        )
        if rows_affected(moved) != 1:
            session.refresh(post)
            return
        set_committed_value(post, "status", new_status)
    else:
        post.status = new_status
    was_published = old_status == PostStatus.PUBLISHED
    now_published = new_status == PostStatus.PUBLISHED
    if session is not None and now_published and not was_published:
        # Content released from a hold: whoever notifies of new content (the notifications
        # service) learns it here, whatever path released it (`POSTS_RELEASED`).
        session.info.setdefault(POSTS_RELEASED, set()).add(post.id)
    if post.is_opening:
        thread.status = new_status
    if was_published == now_published:
        return
    delta = 1 if now_published else -1
    if now_published and post.created_at > thread.last_post_at:
        thread.last_post_at = post.created_at
    if session is None:  # objects not in a session yet: plain arithmetic
        thread.post_count += delta
        if post.is_opening:
            board.thread_count += delta
        return
    thread.post_count = Thread.post_count + delta  # type: ignore[assignment]  # SQL, at flush
    if post.is_opening:
        board.thread_count = Board.thread_count + delta  # type: ignore[assignment]  # SQL, at flush
    session.flush()  # the increments run now, so whoever reads a count next gets the true one
