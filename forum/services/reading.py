"""Reading boards and threads: one indexed query per page, rows straight to JSON shapes.

Listing is the hot path, so it avoids per-row ORM objects and renders nothing (HTML was
sanitised on write). Blocks are applied inside the query, both ways.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from sqlalchemy import and_, or_, select, true, tuple_
from sqlalchemy.orm import Session, aliased

from forum.audit import record_action
from forum.errors import Invalid
from forum.models.board import Board, Post, PostStatus, Thread
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.services.blocks import hidden_authors_subquery

THREAD_PAGE = 20
POST_PAGE = 50
PAGE_MAX = 100


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor: base64url of the sort key of the last item shown."""
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The sort key inside a cursor; 422 for anything this API did not hand out."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid({"cursor": ["This cursor is not valid."]}) from exc
    if not isinstance(values, list) or len(values) != size:
        raise Invalid({"cursor": ["This cursor is not valid."]})
    return values


def page_size(raw: str | None, default: int) -> int:
    """`?limit=` within 1..100."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise Invalid({"limit": ["A whole number from 1 to 100."]}) from exc
    if not 1 <= value <= PAGE_MAX:
        raise Invalid({"limit": ["A whole number from 1 to 100."]})
    return value


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`, as API.md promises."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def user_json(user_id: int | None, handle: str | None, role: str | None) -> dict[str, Any] | None:
    """A user as API.md shows one."""
    if user_id is None or handle is None:
        return None
    return {"id": user_id, "handle": handle, "role": role}


def _visibility_clause(actor: Actor, status_col: Any, author_col: Any) -> Any:
    if actor.can(Permission.POST_MODERATE):
        return true()
    published = status_col == PostStatus.PUBLISHED.value
    if actor.id is None:
        return published
    own = and_(
        author_col == actor.id,
        status_col.in_([PostStatus.PENDING.value, PostStatus.HIDDEN.value]),
    )
    return or_(published, own)


def _block_clause(actor: Actor, author_col: Any) -> Any:
    if actor.id is None:
        return true()
    return or_(author_col.is_(None), author_col.not_in(hidden_authors_subquery(actor.id)))


def _shown_author(
    actor: Actor, is_anonymous: bool, user_id: int | None, handle: str | None, role: str | None
) -> tuple[dict[str, Any] | None, bool]:
    """(author to show, whether an anonymous author was revealed to a moderator)."""
    if is_anonymous:
        if actor.can(Permission.AUTHOR_REVEAL) and user_id is not None:
            return user_json(user_id, handle, role), True
        return None, False
    return user_json(user_id, handle, role), False


def list_threads(
    session: Session, actor: Actor, board: Board, *, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of a board's threads, pinned first, then by last activity."""
    query = (
        select(
            Thread.id,
            Thread.title,
            Thread.created_at,
            Thread.last_post_at,
            Thread.post_count,
            Thread.content_warning,
            Thread.is_pinned,
            Thread.is_locked,
            Thread.is_anonymous,
            Thread.status,
            User.id,
            User.handle,
            User.role,
        )
        .outerjoin(User, User.id == Thread.author_id)
        .where(
            Thread.board_id == board.id,
            _visibility_clause(actor, Thread.status, Thread.author_id),
            _block_clause(actor, Thread.author_id),
        )
        .order_by(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        pinned, last, last_id = decode_cursor(cursor, 3)
        try:
            last_at = dt.datetime.fromisoformat(str(last).replace("Z", "+00:00"))
            after = tuple_(Thread.last_post_at, Thread.id) < tuple_(last_at, int(last_id))
        except (TypeError, ValueError) as exc:
            raise Invalid({"cursor": ["This cursor is not valid."]}) from exc
        if pinned:
            # Still among the pinned threads: the rest of them, then every unpinned one.
            query = query.where(or_(Thread.is_pinned.is_(False), after))
        else:
            query = query.where(Thread.is_pinned.is_(False), after)
    rows = session.execute(query).all()
    revealed: list[int] = []
    threads = []
    for row in rows[:limit]:
        (tid, title, created, last_at, count, cw, pinned, locked, anon, status, uid, handle, role) = row
        author, was_revealed = _shown_author(actor, anon, uid, handle, role)
        if was_revealed:
            revealed.append(tid)
        item = {
            "id": tid,
            "title": title,
            "author": author,
            "anonymous": anon,
            "created_at": iso(created),
            "last_post_at": iso(last_at),
            "post_count": count,
            "content_warning": cw,
            "pinned": pinned,
            "locked": locked,
        }
        if status != PostStatus.PUBLISHED:
            item["status"] = status
        threads.append(item)
    if revealed:
        record_action(session, actor, "author.reveal", "thread", None, thread_ids=revealed)
    next_cursor = None
    if len(rows) > limit:
        last_row = rows[limit - 1]
        next_cursor = encode_cursor([bool(last_row[6]), iso(last_row[3]), last_row[0]])
    return threads, next_cursor


def thread_json(thread: Thread, board: Board, author: dict[str, Any] | None) -> dict[str, Any]:
    """A thread as API.md shows it, with its board's slug."""
    return {
        "id": thread.id,
        "board": board.slug,
        "title": thread.title,
        "author": author,
        "anonymous": thread.is_anonymous,
        "created_at": iso(thread.created_at),
        "last_post_at": iso(thread.last_post_at),
        "post_count": thread.post_count,
        "content_warning": thread.content_warning,
        "pinned": thread.is_pinned,
        "locked": thread.is_locked,
        "status": thread.status,
    }


def post_json(post: Post, author: dict[str, Any] | None) -> dict[str, Any]:
    """A post as API.md shows it."""
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "author": author,
        "anonymous": post.is_anonymous,
        "body_html": post.body_html,
        "content_warning": post.content_warning,
        "status": post.status,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "reply_to": post.reply_to_id,
        "reaction_counts": {"support": post.support_count},
    }


def author_of(actor: Actor, session: Session, thread_or_post: Thread | Post) -> dict[str, Any] | None:
    """The author to show for one thread or post; a moderator's look at an anonymous author
    is audited."""
    if thread_or_post.author_id is None:
        return None
    if getattr(thread_or_post, "is_author_deleted", False):
        return None
    user = session.get(User, thread_or_post.author_id)
    if user is None:
        return None
    author, revealed = _shown_author(
        actor, thread_or_post.is_anonymous, user.id, user.handle, user.role
    )
    if revealed:
        kind = "post" if isinstance(thread_or_post, Post) else "thread"
        record_action(session, actor, "author.reveal", kind, thread_or_post.id)
    return author


def read_thread(
    session: Session,
    actor: Actor,
    thread: Thread,
    board: Board,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[dict[str, Any], list[dict[str, Any]], str | None]:
    """The thread and a page of its posts, oldest first."""
    author = aliased(User)
    thread_author = None
    query = (
        select(
            Post.id,
            Post.author_id,
            Post.is_anonymous,
            Post.is_author_deleted,
            Post.body_html,
            Post.content_warning,
            Post.status,
            Post.created_at,
            Post.edited_at,
            Post.reply_to_id,
            Post.support_count,
            author.handle,
            author.role,
        )
        .outerjoin(author, author.id == Post.author_id)
        .where(
            Post.thread_id == thread.id,
            _visibility_clause(actor, Post.status, Post.author_id),
            _block_clause(actor, Post.author_id),
        )
        .order_by(Post.id)
        .limit(limit + 1)
    )
    if not actor.can(Permission.POST_MODERATE):
        query = query.where(Post.status != PostStatus.REMOVED.value)
    if cursor:
        (after,) = decode_cursor(cursor, 1)
        if not isinstance(after, int):
            raise Invalid({"cursor": ["This cursor is not valid."]})
        query = query.where(Post.id > after)
    rows = session.execute(query).all()
    posts = []
    revealed: list[int] = []
    for row in rows[:limit]:
        (pid, uid, anon, deleted, html, cw, status, created, edited, reply_to, support,
         handle, role) = row
        if deleted:
            shown = None
        else:
            shown, was_revealed = _shown_author(actor, anon, uid, handle, role)
            if was_revealed:
                revealed.append(pid)
        posts.append(
            {
                "id": pid,
                "thread_id": thread.id,
                "author": shown,
                "anonymous": anon,
                "body_html": html,
                "content_warning": cw,
                "status": status,
                "created_at": iso(created),
                "edited_at": iso(edited),
                "reply_to": reply_to,
                "reaction_counts": {"support": support},
            }
        )
    shows_author = thread.author_id is not None and (
        not thread.is_anonymous or actor.can(Permission.AUTHOR_REVEAL)
    )
    if shows_author:
        # The opening post is usually on the page: take its author from the rows at hand.
        known = {row[1]: (row[11], row[12]) for row in rows if row[1] is not None}
        if thread.author_id in known:
            handle, role = known[thread.author_id]
            thread_author = user_json(thread.author_id, handle, role)
        else:
            user = session.get(User, thread.author_id)
            thread_author = user_json(user.id, user.handle, user.role) if user else None
    if revealed:
        record_action(session, actor, "author.reveal", "thread", thread.id, post_ids=revealed)
    next_cursor = encode_cursor([rows[limit - 1][0]]) if len(rows) > limit else None
    return thread_json(thread, board, thread_author), posts, next_cursor
