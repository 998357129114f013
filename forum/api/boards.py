"""Boards, threads, posts and reactions over JSON."""

from __future__ import annotations

from typing import Any

from flask import request

from forum import db
from forum.api import schemas as s
from forum.api.core import endpoint
from forum.http.pagecache import BOARDS, depends_on
from forum.policy import Actor
from forum.screening import installed_screener
from forum.services import boards, posting, reading
from forum.shapes import page_size

PAGE_QUERY = (("cursor", "string"), ("limit", "integer"))


@endpoint("/boards", "GET", summary="Boards this visitor may read", tag="boards",
          response=s.BoardsOut, auth=False, reads=True, cached=True)
def list_boards(actor: Actor) -> dict[str, Any]:
    depends_on(keys=frozenset({BOARDS}))
    return {"boards": boards.list_boards(db.session(), actor)}


@endpoint("/boards", "POST", summary="Create a board (admins)", tag="boards",
          body=s.BoardIn, response=s.BoardEnvelope, status=201, errors=(401, 403, 409, 422))
def create_board(actor: Actor, body: s.BoardIn) -> tuple[dict[str, Any], int]:
    board = boards.create_board(
        db.session(), actor, slug=body.slug, name=body.name,
        description=body.description, visibility=body.visibility,
    )
    return {"board": boards.board_json(board)}, 201


@endpoint("/boards/<slug>/threads", "GET", summary="A board's threads by last activity",
          tag="boards", response=s.ThreadsOut, auth=False, query=PAGE_QUERY,
          errors=(401, 404, 422), reads=True, cached=True)
def list_threads(actor: Actor, slug: str) -> dict[str, Any]:
    _board, threads, next_cursor = reading.list_threads(
        db.session(), actor, slug,
        cursor=request.args.get("cursor"),
        limit=page_size(request.args.get("limit"), reading.THREAD_PAGE), note=depends_on,
    )
    return {"threads": threads, "next_cursor": next_cursor}


@endpoint("/boards/<slug>/threads", "POST", summary="Start a thread", tag="boards",
          body=s.ThreadIn, response=s.ThreadCreatedOut, status=201,
          errors=(401, 403, 404, 422), limit="post")
def create_thread(actor: Actor, body: s.ThreadIn, slug: str) -> tuple[dict[str, Any], int]:
    session = db.session()
    board = boards.load_readable_board(session, actor, slug)
    done = posting.create_thread(
        session, actor, installed_screener(), board,
        title=body.title, body=body.body,
        content_warning=body.content_warning, anonymous=body.anonymous,
    )
    author = reading.author_of(actor, session, done.post)
    thread = reading.thread_json(done.thread, board, author)
    return {
        "thread": thread,
        "post": reading.post_json(done.post, author),
        "moderation": done.screening.as_json(),
        **({"resources": list(done.screening.resources)} if done.screening.offers_help else {}),
    }, 201


@endpoint("/threads/<int:thread_id>", "GET", summary="A thread and its posts, oldest first",
          tag="boards", response=s.ThreadPageOut, auth=False, query=PAGE_QUERY,
          errors=(404, 422), reads=True, cached=True)
def read_thread(actor: Actor, thread_id: int) -> dict[str, Any]:
    thread_out, _board, posts, next_cursor = reading.read_thread(
        db.session(), actor, thread_id,
        cursor=request.args.get("cursor"),
        limit=page_size(request.args.get("limit"), reading.POST_PAGE), note=depends_on,
    )
    return {"thread": thread_out, "posts": posts, "next_cursor": next_cursor}


@endpoint("/threads/<int:thread_id>/posts", "POST", summary="Reply in a thread", tag="boards",
          body=s.PostIn, response=s.PostCreatedOut, status=201,
          errors=(401, 403, 404, 422), limit="post")
def create_post(actor: Actor, body: s.PostIn, thread_id: int) -> tuple[dict[str, Any], int]:
    session = db.session()
    thread, board = posting.load_thread(session, actor, thread_id, for_write=True)
    done = posting.reply(
        session, actor, installed_screener(), thread, board,
        body=body.body, reply_to=body.reply_to,
        content_warning=body.content_warning, anonymous=body.anonymous,
    )
    author = reading.author_of(actor, session, done.post)
    return {
        "post": reading.post_json(done.post, author),
        "moderation": done.screening.as_json(),
        **({"resources": list(done.screening.resources)} if done.screening.offers_help else {}),
    }, 201


@endpoint("/posts/<int:post_id>", "PATCH", summary="Edit a post (author or moderator)",
          tag="boards", body=s.PostEditIn, response=s.PostCreatedOut,
          errors=(401, 403, 404, 422))
def edit_post(actor: Actor, body: s.PostEditIn, post_id: int) -> dict[str, Any]:
    session = db.session()
    post, thread, board = posting.load_post(session, actor, post_id)
    done = posting.edit_post(session, actor, installed_screener(), post, thread, board,
                             body=body.body)
    author = reading.author_of(actor, session, done.post)
    return {"post": reading.post_json(done.post, author), "moderation": done.screening.as_json()}


@endpoint("/posts/<int:post_id>", "DELETE", summary="Delete a post (author or moderator)",
          tag="boards", status=204, errors=(401, 403, 404))
def delete_post(actor: Actor, post_id: int) -> tuple[None, int]:
    session = db.session()
    post, thread, board = posting.load_post(session, actor, post_id)
    posting.delete_post(session, actor, post, thread, board)
    return None, 204


@endpoint("/posts/<int:post_id>/reactions", "POST", summary="React with support",
          tag="boards", body=s.ReactionIn, response=s.ReactionOut, status=201,
          errors=(401, 403, 404, 422), limit="react")
def react(actor: Actor, body: s.ReactionIn, post_id: int) -> tuple[dict[str, Any], int]:
    session = db.session()
    post, _thread, _board = posting.load_post(session, actor, post_id, for_write=True)
    posting.react(session, actor, post, body.kind)
    return {"reaction_counts": {"support": post.support_count}}, 201


@endpoint("/posts/<int:post_id>/reactions", "DELETE", summary="Take a reaction back",
          tag="boards", status=204, errors=(401, 404))
def unreact(actor: Actor, post_id: int) -> tuple[None, int]:
    session = db.session()
    post, _thread, _board = posting.load_post(session, actor, post_id)
    posting.unreact(session, actor, post, request.args.get("kind", "support"))
    return None, 204
