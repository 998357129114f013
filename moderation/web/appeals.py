"""Appeal pages: a member appeals a sanction (signed in, or with her password when a
suspension or ban keeps her out), and moderators decide appeals, one explicit choice each.
The same services as `POST /api/v1/auth/appeal` and `/moderation/appeals` (moderation.api).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext

from forum import db
from forum.errors import DomainError, Invalid
from forum.http.limits import limited
from forum.http.sessions import account_by_credentials, current_actor
from forum.web.core import bp, check_csrf, commit, form_errors, page, rollback, signed_in_page
from moderation.services import appeals


@bp.app_context_processor
def _appeal_link() -> dict[str, Any]:
    """Lets the core's sign-in page link a refused sign-in to its appeal, without the core
    knowing this package."""
    return {"appeal_url": lambda sanction_id: url_for("web.appeal", sanction=sanction_id)}


def _sanction_id(raw: str | None) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        raise Invalid({"sanction_id": [gettext("Choose the decision you appeal.")]}) from None
    if value < 1:
        raise Invalid({"sanction_id": [gettext("Choose the decision you appeal.")]})
    return value


def _appeal_page(code: int = 200, **extra: Any) -> Any:
    actor = current_actor()
    mine = appeals.my_sanctions(db.session(), actor.id) if actor.is_authenticated else None
    context: dict[str, Any] = {
        "errors": {}, "error": None, "done": False, "mine": mine,
        "form": {"sanction_id": request.args.get("sanction", ""), "text": "", "handle": ""},
    }
    context.update(extra)
    return page("web/appeal.html", code, **context)


@bp.get("/appeal")
def appeal() -> Any:
    """Appeal a sanction: her sanctions with a form each when signed in; otherwise a form
    with her handle and password (a suspended or banned member cannot sign in)."""
    return _appeal_page()


@bp.post("/appeal")
@limited("login")
def appeal_post() -> Any:
    check_csrf()
    form = {k: request.form.get(k, "") for k in ("sanction_id", "text", "handle")}
    actor = current_actor()
    try:
        sanction_id = _sanction_id(form["sanction_id"])
        if actor.is_authenticated:
            member = actor.require_user()
        else:
            member = account_by_credentials(form["handle"], request.form.get("password", ""),
                                            request.form.get("totp") or None)
        appeals.file_appeal(db.session(), member, sanction_id, form["text"])
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return _appeal_page(exc.status, errors=errors, error=message, form=form)
    return _appeal_page(201, done=True)


@bp.get("/moderation/appeals")
@signed_in_page
def moderation_appeals() -> Any:
    """The appeal queue, oldest first; `?status=upheld|overturned` shows decided ones."""
    status = request.args.get("status", "pending")
    actor = current_actor()
    rows = appeals.list_appeals(db.session(), actor, status)
    return page("web/moderation/appeals.html", appeals=rows, status=status,
                me=actor.id, errors={}, error=None)


@bp.post("/moderation/appeals/<id:appeal_id>/decide")
@signed_in_page
def moderation_appeal_decide(appeal_id: int) -> Any:
    """Uphold or overturn: the moderator picks; nothing is chosen for her."""
    check_csrf()
    actor = current_actor()
    try:
        appeals.decide(db.session(), actor, appeal_id,
                       decision=request.form.get("decision", ""),
                       note=request.form.get("note", ""))
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        rows = appeals.list_appeals(db.session(), actor, "pending")
        return page("web/moderation/appeals.html", exc.status, appeals=rows, status="pending",
                    me=actor.id, errors=errors, error=message)
    flash(gettext("Appeal decided. The member is told the decision and your note."))
    return redirect(url_for("web.moderation_appeals"))
