"""Board pages: the boards, a board's threads, a thread with its posts, composing, replying
and the `support` reaction. Every write goes through `forum.services.posting`, the same path
as the JSON API, so the screener, sanctions and blocks apply to pages too.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from forum import db
from forum.errors import DomainError, Forbidden
from forum.http.limits import limited
from forum.http.sessions import current_actor
from forum.models.board import Post, Thread
from forum.policy import Permission, can_edit_post, replies_anonymously_by_default
from forum.screening import Screening, Submission, installed_screener
from forum.services import boards, posting, reading
from forum.web.core import (
    bp,
    check_csrf,
    commit,
    form_errors,
    page,
    rollback,
    signed_in_page,
)


@bp.get("/")
def home() -> Any:
    """The boards this visitor may read."""
    return page("web/home.html", boards=boards.list_boards(db.session(), current_actor()))


@bp.get("/boards/<slug>")
def board(slug: str) -> Any:
    """A board's threads by last activity, with an "older" link (cursor)."""
    actor = current_actor()
    dbs = db.session()
    shown, threads, next_cursor = reading.list_threads(
        dbs, actor, slug, cursor=request.args.get("cursor") or None, limit=reading.THREAD_PAGE
    )
    commit()  # an anonymous author revealed to a moderator is audited
    return page("web/board.html", board=shown, threads=threads, next_cursor=next_cursor)


def _screening_notice(screening: Screening) -> None:
    """Tell the author what the filter did: held for review, or help lines for a crisis
    (the page she lands on then shows them first, above everything, `base.html`)."""
    if screening.offers_help:
        flash("help", "crisis")
    if screening.status == "pending":
        flash(gettext("Thank you. A moderator will look at your post before others see it."))


def _landing(url: str, screening: Screening, fragment: str = "") -> Any:
    """Where she goes after writing: to her post, or, after words of crisis, to the top of
    the page, where the help lines are (never scrolled past them to her post)."""
    return redirect(url if screening.is_crisis else url + fragment)


def _needs_confirm(text: str) -> bool:
    """The confirm step of a page form, for browsers without JavaScript (which check the
    draft as she types, `static/js/check.js`): a draft with crisis language is answered with
    the help lines and a "post it" button first, once. Never a refusal, and her text is
    kept; `crisis_seen=yes` (the button, or the script that already showed them) posts it."""
    if request.form.get("crisis_seen") == "yes" or not text.strip():
        return False
    user = current_actor().user
    if user is None:
        return False
    screening = installed_screener().screen(
        db.session(), Submission(author=user, text=text, kind="check"))
    return bool(screening.is_crisis)


@bp.get("/boards/<slug>/new")
@signed_in_page
def compose(slug: str) -> Any:
    """The form to start a thread on a board."""
    found = boards.load_readable_board(db.session(), current_actor(), slug)
    return page("web/compose.html", board=boards.board_json(found), form={}, errors={})


@bp.post("/boards/<slug>/new")
@signed_in_page
@limited("post")
def compose_post(slug: str) -> Any:
    """Start the thread, then show it (or the form again with its errors)."""
    check_csrf()
    actor = current_actor()
    dbs = db.session()
    found = boards.load_readable_board(dbs, actor, slug)
    form = {
        "title": request.form.get("title", ""),
        "body": request.form.get("body", ""),
        "content_warning": request.form.get("content_warning", ""),
        "anonymous": request.form.get("anonymous") == "yes",
    }
    if _needs_confirm(f"{form['title']}\n{form['body']}"):
        return page("web/compose.html", board=boards.board_json(found), form=form,
                    errors={}, crisis_confirm=True)
    try:
        done = posting.create_thread(
            dbs, actor, installed_screener(), found,
            title=form["title"], body=form["body"],
            content_warning=form["content_warning"] or None, anonymous=form["anonymous"],
        )
        thread_id = done.thread.id
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return page("web/compose.html", exc.status, board=boards.board_json(found), form=form,
                    errors=errors, error=message)
    _screening_notice(done.screening)
    return _landing(url_for("web.thread", thread_id=thread_id), done.screening)


@bp.get("/threads/<id:thread_id>")
def thread(thread_id: int) -> Any:
    """A thread and a page of its posts, oldest first, with the reply form."""
    return _thread_page(thread_id)


def _thread_page(thread_id: int, status: int = 200, **extra: Any) -> Any:
    actor = current_actor()
    dbs = db.session()
    shown, shown_board, posts, next_cursor = reading.read_thread(
        dbs, actor, thread_id, cursor=request.args.get("cursor") or None,
        limit=reading.POST_PAGE,
    )
    commit()  # an anonymous author revealed to a moderator is audited
    context: dict[str, Any] = {"form": {"anonymous": _anonymous_by_default(dbs, thread_id)},
                               "errors": {}}
    context.update(extra)
    return page("web/thread.html", status, thread=shown, board=shown_board,
                posts=posts, next_cursor=next_cursor, editable=_editable(dbs, posts),
                blocks_enabled="web.block_member" in current_app.view_functions,
                may_set_roles=actor.can(Permission.USER_ROLE_EDIT), **context)


def _anonymous_by_default(dbs: Any, thread_id: int) -> bool:
    """Whether her reply form starts ticked "anonymously" (`forum.policy`'s rule)."""
    actor = current_actor()
    if not actor.is_authenticated:
        return False
    row = dbs.execute(select(Thread.author_id, Thread.is_anonymous)
                      .where(Thread.id == thread_id)).first()
    return row is not None and replies_anonymously_by_default(actor, row[0], row[1])


def _editable(dbs: Any, posts: list[dict[str, Any]]) -> set[int]:
    """The shown posts `forum.policy.can_edit_post` lets this visitor edit or delete (the
    author's id is looked up here, since an anonymous post does not show it)."""
    actor = current_actor()
    if not actor.is_authenticated or not posts:
        return set()
    ids = [p["id"] for p in posts if p["status"] != "removed"]
    if not ids:
        return set()
    rows = dbs.execute(select(Post.id, Post.author_id).where(Post.id.in_(ids))).all()
    return {pid for pid, author_id in rows if can_edit_post(actor, author_id)}


@bp.post("/threads/<id:thread_id>/reply")
@signed_in_page
@limited("post")
def reply(thread_id: int) -> Any:
    """Add a post to a thread."""
    check_csrf()
    actor = current_actor()
    dbs = db.session()
    found, found_board = posting.load_thread(dbs, actor, thread_id)
    form = {
        "body": request.form.get("body", ""),
        "content_warning": request.form.get("content_warning", ""),
        "anonymous": request.form.get("anonymous") == "yes",
    }
    if _needs_confirm(form["body"]):
        return _thread_page(thread_id, form=form, crisis_confirm=True)
    try:
        done = posting.reply(
            dbs, actor, installed_screener(), found, found_board,
            body=form["body"], content_warning=form["content_warning"] or None,
            anonymous=form["anonymous"],
        )
        post_id = done.post.id
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return _thread_page(thread_id, exc.status, form=form, errors=errors, error=message)
    _screening_notice(done.screening)
    return _landing(url_for("web.thread", thread_id=thread_id), done.screening,
                    f"#post-{post_id}")


@bp.post("/posts/<id:post_id>/support")
@signed_in_page
@limited("react")
def support(post_id: int) -> Any:
    """Add (or, with `undo`, take back) the `support` reaction, then return to the post; asked
    by `static/js/support.js` (Accept: application/json), answer the new count instead, so a
    tap on a slow link does not reload the whole thread."""
    check_csrf()
    actor = current_actor()
    dbs = db.session()
    post, found, _board = posting.load_post(dbs, actor, post_id)
    thread_id = found.id
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        if request.form.get("undo") == "yes":
            posting.unreact(dbs, actor, post, "support")
        else:
            posting.react(dbs, actor, post, "support")
        count = post.support_count
        commit()
    except DomainError as exc:
        rollback()
        if wants_json:
            return jsonify({"error": form_errors(exc)[1]}), exc.status
        flash(form_errors(exc)[1], "error")
        return redirect(url_for("web.thread", thread_id=thread_id) + f"#post-{post_id}")
    if wants_json:
        response = jsonify({"reaction_counts": {"support": count}})
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return redirect(url_for("web.thread", thread_id=thread_id) + f"#post-{post_id}")


def _own_or_moderated_post(post_id: int) -> tuple[Any, Any, Any]:
    """The post, its thread and board, if the visitor may edit or delete it (403 otherwise)."""
    actor = current_actor()
    post, found, found_board = posting.load_post(db.session(), actor, post_id, for_write=True)
    if not can_edit_post(actor, post.author_id):
        raise Forbidden("Only the author or a moderator can edit this post.")
    return post, found, found_board


def _author_line(post: Post) -> dict[str, bool]:
    """What the edit form's "posting as" line says: her handle, anonymously, or a moderator
    editing someone else's post."""
    return {"own": post.author_id == current_actor().id, "anonymous": bool(post.is_anonymous)}


@bp.get("/posts/<id:post_id>/edit")
@signed_in_page
def edit(post_id: int) -> Any:
    """The form to change a post's text."""
    post, found, _board = _own_or_moderated_post(post_id)
    return page("web/edit_post.html", post_id=post.id, thread_id=found.id,
                form={"body": post.body}, errors={}, **_author_line(post))


@bp.post("/posts/<id:post_id>/edit")
@signed_in_page
@limited("post")
def edit_post(post_id: int) -> Any:
    """Save the new text (screened again like a new post), then show the post."""
    check_csrf()
    actor = current_actor()
    dbs = db.session()
    post, found, found_board = posting.load_post(dbs, actor, post_id, for_write=True)
    thread_id = found.id
    form = {"body": request.form.get("body", "")}
    if _needs_confirm(form["body"]):
        return page("web/edit_post.html", post_id=post_id, thread_id=thread_id, form=form,
                    errors={}, crisis_confirm=True, **_author_line(post))
    try:
        done = posting.edit_post(dbs, actor, installed_screener(), post, found, found_board,
                                 body=form["body"])
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return page("web/edit_post.html", exc.status, post_id=post_id, thread_id=thread_id,
                    form=form, errors=errors, error=message, **_author_line(post))
    _screening_notice(done.screening)
    flash(gettext("Your changes are saved."))
    return _landing(url_for("web.thread", thread_id=thread_id), done.screening,
                    f"#post-{post_id}")


@bp.get("/posts/<id:post_id>/delete")
@signed_in_page
def delete(post_id: int) -> Any:
    """Ask once more before a post is deleted."""
    post, found, _board = _own_or_moderated_post(post_id)
    is_own = post.author_id == current_actor().id
    return page("web/delete_post.html", post_id=post.id, thread_id=found.id,
                body_html=post.body_html, is_own=is_own)


@bp.post("/posts/<id:post_id>/delete")
@signed_in_page
def delete_post(post_id: int) -> Any:
    """Delete the post once confirmed (without `confirm=yes`, back to the question)."""
    check_csrf()
    if request.form.get("confirm") != "yes":
        return redirect(url_for("web.delete", post_id=post_id))
    actor = current_actor()
    dbs = db.session()
    post, found, found_board = posting.load_post(dbs, actor, post_id, for_write=True)
    thread_id = found.id
    posting.delete_post(dbs, actor, post, found, found_board)  # refusals: the error page
    commit()
    flash(gettext("The post is deleted."))
    return redirect(url_for("web.thread", thread_id=thread_id))
