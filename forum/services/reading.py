"""Reading boards and threads: one indexed query per page, rows straight to JSON shapes.

Listing is the hot path, so it avoids per-row ORM objects and renders nothing (HTML was
sanitised on write). Blocks are applied inside the query, both ways.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, bindparam, not_, or_, select, true, tuple_
from sqlalchemy.orm import Session, aliased

from forum.audit import record_action
from forum.db import BigId, UTCDateTime
from forum.errors import Invalid, NotFound, Unauthorized
from forum.models.board import Board, Post, PostStatus, Thread, Visibility
from forum.models.user import User
from forum.policy import (
    Actor,
    Permission,
    can_read_board,
    can_see_status,
    not_hidden_by_block_sql,
    not_hidden_item_sql,
)
from forum.shapes import decode_cursor, encode_cursor, iso, user_row_json

THREAD_PAGE = 20
POST_PAGE = 50
PAGE_MAX = 100


def _shown_author(
    actor: Actor, is_anonymous: bool, user_id: int | None, handle: str | None, role: str | None
) -> tuple[dict[str, Any] | None, bool]:
    """(author to show, whether an anonymous author was revealed to a moderator)."""
    if is_anonymous:
        if actor.can(Permission.AUTHOR_REVEAL) and user_id is not None:
            return user_row_json(user_id, handle, role), True
        return None, False
    return user_row_json(user_id, handle, role), False


# --- the two hot pages: one prebuilt statement each ---------------------------------------
#
# A page is read with ONE statement that also fetches its board (and, for a thread, the
# thread and whether the block rule hides it from the viewer), built once per kind of viewer and
# cursor and then reused: SQLAlchemy memoises a reused statement's cache key, so a request
# pays neither query construction nor compilation. Rows become JSON shapes directly.

_ANONYMOUS, _MEMBER, _STAFF = "anonymous", "member", "staff"
_STATEMENTS: dict[tuple[str, ...], Any] = {}


def _viewer_kind(actor: Actor) -> str:
    if actor.id is None:
        return _ANONYMOUS
    return _STAFF if actor.can(Permission.POST_MODERATE) else _MEMBER


def _visible(kind: str, status_col: Any, author_col: Any) -> Any:
    """Published to all; the author's own pending or hidden ones to her; all to staff."""
    if kind == _STAFF:
        return true()
    published = status_col == PostStatus.PUBLISHED.value
    if kind == _ANONYMOUS:
        return published
    own = and_(
        author_col == bindparam("viewer"),
        status_col.in_([PostStatus.PENDING.value, PostStatus.HIDDEN.value]),
    )
    return or_(published, own)


def _not_blocked(kind: str, author_col: Any, anonymous_col: Any) -> Any:
    """The block rule (`policy.hidden_by_block`) for this kind of viewer, inside the query."""
    return not_hidden_by_block_sql(
        author_col, anonymous_col, signed_in=kind != _ANONYMOUS, on_duty=kind == _STAFF
    )


def _not_hidden(kind: str, target_type: str, id_col: Any) -> Any:
    """What the viewer asked not to see again (`policy.not_hidden_item_sql`)."""
    return not_hidden_item_sql(target_type, id_col, signed_in=kind != _ANONYMOUS)


def _statement(key: tuple[str, ...], build: Any) -> Any:
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = build(*key[1:])
    return statement


def _board_page_statement(kind: str, position: str) -> Any:
    """The board and a page of its threads, pinned first, then by last activity (one row with
    no thread columns when the page is empty)."""
    after = tuple_(Thread.last_post_at, Thread.id) < tuple_(
        bindparam("last_at", type_=UTCDateTime()), bindparam("last_id", type_=BigId)
    )
    on = [
        Thread.board_id == Board.id,
        _visible(kind, Thread.status, Thread.author_id),
        _not_blocked(kind, Thread.author_id, Thread.is_anonymous),
        _not_hidden(kind, "thread", Thread.id),
    ]
    if position == "pinned":  # still among pinned threads: the rest of them, then all others
        on.append(or_(Thread.is_pinned.is_(False), after))
    elif position == "unpinned":
        on.extend([Thread.is_pinned.is_(False), after])
    return (
        select(
            Board.slug, Board.name, Board.description, Board.visibility, Board.thread_count,
            Thread.id, Thread.title, Thread.created_at, Thread.last_post_at, Thread.post_count,
            Thread.content_warning, Thread.is_pinned, Thread.is_locked, Thread.is_anonymous,
            Thread.status, User.id, User.handle, User.role, Board.id,
        )
        .select_from(Board)
        .outerjoin(Thread, and_(*on))
        .outerjoin(User, User.id == Thread.author_id)
        .where(Board.slug == bindparam("slug"))
        .order_by(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
        .limit(bindparam("rows"))
    )


def _board_json(row: Any) -> dict[str, Any]:
    return {"slug": row[0], "name": row[1], "description": row[2], "visibility": row[3],
            "thread_count": row[4]}


def list_threads(
    session: Session, actor: Actor, slug: str, *, cursor: str | None, limit: int,
    note: Callable[..., None] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], str | None]:
    """(the board, a page of its threads, the cursor of the next page); 404 when there is no
    such board or the visitor may not read it (401 for a members' board and no sign-in).
    `note`: told what the page was built from (`forum.http.pagecache.depends_on`)."""
    params: dict[str, Any] = {"slug": slug, "rows": limit + 1, "viewer": actor.id}
    position = "first"
    if cursor:
        pinned, last, last_id = decode_cursor(cursor, 3)
        try:
            params["last_at"] = dt.datetime.fromisoformat(str(last).replace("Z", "+00:00"))
            params["last_id"] = int(last_id)
        except (TypeError, ValueError) as exc:
            raise Invalid({"cursor": ["This cursor is not valid."]}) from exc
        position = "pinned" if pinned else "unpinned"
    kind = _viewer_kind(actor)
    statement = _statement(("board", kind, position), _board_page_statement)
    rows = session.connection().execute(statement, params).all()
    if not rows or not can_read_board(actor, rows[0][3]):
        if rows and rows[0][3] == Visibility.MEMBERS and not actor.is_authenticated:
            raise Unauthorized("Sign in to read this board.")
        raise NotFound("No such board.")
    board = _board_json(rows[0])
    if note is not None:
        _note_board_page(note, rows)
    if rows[0][5] is None:  # the outer join found no thread
        return board, [], None
    revealed: list[int] = []
    threads = []
    for row in rows[:limit]:
        (tid, title, created, last_at, count, cw, pinned, locked, anon, status, uid, handle,
         role) = row[5:18]
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
        next_cursor = encode_cursor([bool(last_row[11]), iso(last_row[8]), last_row[5]])
    return board, threads, next_cursor


def _note_board_page(note: Callable[..., None], rows: list[Any]) -> None:
    """What a board page depends on: its board, every thread row fetched (the one past the
    page too) and their named authors (an anonymous author's id is never kept)."""
    board_id = rows[0][18]
    threads = [row[5] for row in rows if row[5] is not None]
    authors = {row[15] for row in rows if row[15] is not None and not row[13]}
    note(keys=frozenset({f"board:{board_id}", f"listing:{board_id}", "board-pages",
                         *(f"thread:{t}" for t in threads),
                         *(f"user:{a}" for a in authors)}),
         authors=frozenset(authors), threads=frozenset(threads),
         boards_of=tuple((t, board_id) for t in threads), listing=board_id)


def _note_thread_page(note: Callable[..., None], rows: list[Any]) -> None:
    """What a thread page depends on: its thread, every post row fetched (the one past the
    page too) and the named authors of both (an anonymous author's id is never kept)."""
    first = rows[0]
    thread_id, board_id = first[5], first[32]
    posts = [row[19] for row in rows if row[19] is not None]
    authors = {row[20] for row in rows if row[19] is not None and row[20] is not None
               and not row[21]}
    if first[6] is not None and not first[7]:
        authors.add(first[6])
    note(keys=frozenset({f"thread:{thread_id}", f"board:{board_id}",
                         *(f"post:{p}" for p in posts), *(f"user:{a}" for a in authors)}),
         authors=frozenset(authors), threads=frozenset({thread_id}), posts=frozenset(posts),
         boards_of=((thread_id, board_id),))


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


def _thread_page_statement(kind: str) -> Any:
    """The thread, its board, its author, whether the block rule hides it from the viewer, and
    a page of its posts oldest first (one row with no post columns when the page is empty)."""
    thread_author = aliased(User, name="thread_author")
    post_author = aliased(User, name="post_author")
    on = [
        Post.thread_id == Thread.id,
        Post.id > bindparam("after"),
        _visible(kind, Post.status, Post.author_id),
        _not_blocked(kind, Post.author_id, Post.is_anonymous),
        _not_hidden(kind, "post", Post.id),
    ]
    if kind != _STAFF:
        on.append(Post.status != PostStatus.REMOVED.value)
    blocked = not_(and_(_not_blocked(kind, Thread.author_id, Thread.is_anonymous),
                        _not_hidden(kind, "thread", Thread.id)))
    return (
        select(
            Board.slug, Board.name, Board.description, Board.visibility, Board.thread_count,
            Thread.id, Thread.author_id, Thread.is_anonymous, Thread.title,
            Thread.content_warning, Thread.status, Thread.is_pinned, Thread.is_locked,
            Thread.post_count, Thread.created_at, Thread.last_post_at,
            thread_author.handle, thread_author.role, blocked.label("blocked"),
            Post.id, Post.author_id, Post.is_anonymous, Post.is_author_deleted, Post.body_html,
            Post.content_warning, Post.status, Post.created_at, Post.edited_at,
            Post.reply_to_id, Post.support_count, post_author.handle, post_author.role,
            Board.id,
        )
        .select_from(Thread)
        .join(Board, Board.id == Thread.board_id)
        .outerjoin(thread_author, thread_author.id == Thread.author_id)
        .outerjoin(Post, and_(*on))
        .outerjoin(post_author, post_author.id == Post.author_id)
        .where(Thread.id == bindparam("thread_id"))
        .order_by(Post.id)
        .limit(bindparam("rows"))
    )


def read_thread(
    session: Session, actor: Actor, thread_id: int, *, cursor: str | None, limit: int,
    note: Callable[..., None] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], str | None]:
    """(the thread, its board, a page of its posts oldest first, the next page's cursor);
    404 when the visitor may not see the thread (its board, its status, or a block).
    `note`: as for `list_threads`."""
    after = 0
    if cursor:
        (after,) = decode_cursor(cursor, 1)
        if not isinstance(after, int) or isinstance(after, bool):
            raise Invalid({"cursor": ["This cursor is not valid."]})
    kind = _viewer_kind(actor)
    statement = _statement(("thread", kind), _thread_page_statement)
    rows = session.connection().execute(
        statement, {"thread_id": thread_id, "after": after, "rows": limit + 1,
                    "viewer": actor.id}
    ).all()
    if not rows:
        raise NotFound("No such thread.")
    first = rows[0]
    (tid, t_author, t_anon, title, t_cw, t_status, pinned, locked, count, created, last_at,
     t_handle, t_role, blocked) = first[5:19]
    if (
        not can_read_board(actor, first[3])
        or not can_see_status(actor, t_status, t_author)
        or blocked
    ):
        raise NotFound("No such thread.")
    if note is not None:
        _note_thread_page(note, rows)
    may_reveal = actor.can(Permission.AUTHOR_REVEAL)
    posts: list[dict[str, Any]] = []
    revealed: list[int] = []
    if first[19] is not None:  # the outer join found posts
        for row in rows[:limit]:
            (pid, uid, anon, deleted, html, cw, status, p_created, edited, reply_to, support,
             handle, role) = row[19:32]
            shown, was_revealed = (None, False) if deleted else _shown_author(
                actor, anon, uid, handle, role)
            if was_revealed:
                revealed.append(pid)
            posts.append(
                {
                    "id": pid,
                    "thread_id": tid,
                    "author": shown,
                    "anonymous": anon,
                    "body_html": html,
                    "content_warning": cw,
                    "status": status,
                    "created_at": iso(p_created),
                    "edited_at": iso(edited),
                    "reply_to": reply_to,
                    "reaction_counts": {"support": support},
                }
            )
    thread_author = None
    if t_author is not None and (not t_anon or may_reveal):
        thread_author = user_row_json(t_author, t_handle, t_role)
    if revealed:
        record_action(session, actor, "author.reveal", "thread", tid, post_ids=revealed)
    board = _board_json(first)
    thread = {
        "id": tid,
        "board": board["slug"],
        "title": title,
        "author": thread_author,
        "anonymous": t_anon,
        "created_at": iso(created),
        "last_post_at": iso(last_at),
        "post_count": count,
        "content_warning": t_cw,
        "pinned": pinned,
        "locked": locked,
        "status": t_status,
    }
    next_cursor = encode_cursor([rows[limit - 1][19]]) if len(rows) > limit else None
    return thread, board, posts, next_cursor
