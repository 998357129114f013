"""Admin pages: the boards (list and create) and a member's role. Each form calls the same
`forum.services` function as the JSON API (`boards.create_board`, `accounts.set_role`), whose
permission checks answer a member with the readable 403 page.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext, lazy_gettext

from forum import db
from forum.errors import DomainError, NotFound
from forum.http.sessions import current_actor
from forum.models.board import Visibility
from forum.models.user import Role, User
from forum.policy import Permission
from forum.services import accounts, boards
from forum.web.core import (
    bp,
    check_csrf,
    commit,
    form_errors,
    page,
    rollback,
    signed_in_page,
)

VISIBILITY_LABELS = {
    Visibility.PUBLIC.value: lazy_gettext("Everyone"),
    Visibility.MEMBERS.value: lazy_gettext("Signed-in members"),
    Visibility.COUNSELLORS.value: lazy_gettext("Counsellors and staff"),
}
ROLE_LABELS = {
    Role.MEMBER.value: lazy_gettext("Member"),
    Role.COUNSELLOR.value: lazy_gettext("Counsellor"),
    Role.MODERATOR.value: lazy_gettext("Moderator"),
    Role.ADMIN.value: lazy_gettext("Admin"),
}


@bp.app_context_processor
def admin_context() -> dict[str, Any]:
    """`may_administer`: the account page links the admin pages for admins only."""
    return {"may_administer": current_actor().can(Permission.BOARD_CREATE)}


def _boards_page(code: int = 200, **extra: Any) -> Any:
    actor = current_actor()
    actor.require(Permission.BOARD_CREATE)
    context: dict[str, Any] = {"form": {"visibility": "public"}, "errors": {}}
    context.update(extra)
    return page("web/admin/boards.html", code, boards=boards.list_boards(db.session(), actor),
                visibilities=VISIBILITY_LABELS, **context)


@bp.get("/admin/boards")
@signed_in_page
def admin_boards() -> Any:
    """Every board, and the form to add one."""
    return _boards_page()


@bp.post("/admin/boards")
@signed_in_page
def admin_board_create() -> Any:
    """Add a board, then list them again (or the form with its errors)."""
    check_csrf()
    form = {key: request.form.get(key, "") for key in ("slug", "name", "description",
                                                        "visibility")}
    try:
        boards.create_board(db.session(), current_actor(), slug=form["slug"], name=form["name"],
                            description=form["description"], visibility=form["visibility"])
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        if exc.status == 409:
            errors = {"slug": [message]}
        return _boards_page(exc.status, form=form, errors=errors, error=message)
    flash(gettext("The board is created."))
    return redirect(url_for("web.admin_boards"))


def _member(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


@bp.get("/admin/users/<id:user_id>/role")
@signed_in_page
def admin_role(user_id: int) -> Any:
    """The form to change one member's role."""
    current_actor().require(Permission.USER_ROLE_EDIT)
    user = _member(user_id)
    return page("web/admin/role.html", member=user, roles=ROLE_LABELS, errors={})


@bp.post("/admin/users/<id:user_id>/role")
@signed_in_page
def admin_role_set(user_id: int) -> Any:
    """Change the role (audited by the service), then show the form again."""
    check_csrf()
    actor = current_actor()
    try:
        accounts.set_role(db.session(), actor, user_id, request.form.get("role", ""))
        commit()
    except DomainError as exc:
        rollback()
        if exc.status in (401, 403, 404):
            raise
        errors, message = form_errors(exc)
        return page("web/admin/role.html", exc.status, member=_member(user_id),
                    roles=ROLE_LABELS, errors=errors, error=message)
    flash(gettext("The role is changed."))
    return redirect(url_for("web.admin_role", user_id=user_id))
