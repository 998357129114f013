"""Shield mode's pages (issue #17): turning it on from her account page or from the offer,
her tray (and her helpers' view of it), and helper invitations. Plain forms, no script
needed; the same service as the API."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for

from forum import db
from forum.errors import DomainError
from forum.http.sessions import current_actor
from forum.services import shield
from forum.web.core import bp, check_csrf, commit, form_errors, page, rollback, signed_in_page


def _shield_page(status: int = 200, error: str | None = None) -> Any:
    actor = current_actor()
    user = actor.require_user()
    session = db.session()
    state = shield.shield_json(session, user.id)
    invites = shield.helping(session, actor)
    commit()  # reading her shield may have ended it (and told her)
    return page("web/shield.html", status, shield=state, helping=invites, error=error,
                offer=request.args.get("offer") == "1", durations=shield.DURATIONS,
                max_helpers=shield.MAX_HELPERS)


@bp.get("/account/shield")
@signed_in_page
def shield_settings() -> Any:
    """Her shield: on or off, for how long, what it holds; her helpers; trays she helps with."""
    return _shield_page()


def _failed(error: DomainError) -> Any:
    rollback()
    fields, general = form_errors(error)
    return _shield_page(error.status, "; ".join(m for ms in fields.values() for m in ms)
                        or general)


@bp.post("/account/shield")
@signed_in_page
def shield_set() -> Any:
    """On (with days and what it holds; the offer's one tap sends only `on`) or off."""
    check_csrf()
    on = request.form.get("on") == "1"
    days_raw = request.form.get("days", "")
    days: Any = int(days_raw) if days_raw.isdigit() and len(days_raw) < 4 else (
        days_raw or None)
    hold = request.form.getlist("hold") or None
    try:
        shield.set_shield(db.session(), current_actor(), on=on, days=days, hold=hold)
    except DomainError as exc:
        return _failed(exc)
    commit()
    return redirect(url_for("web.shield_settings"))


def _tray(owner_id: int) -> Any:
    actor = current_actor()
    items = shield.held_items(db.session(), actor, owner_id)
    mine = actor.id == owner_id
    return page("web/shield_tray.html", items=items, owner_id=owner_id, mine=mine)


@bp.get("/account/shield/held")
@signed_in_page
def shield_tray() -> Any:
    """Her held items, newest first, each with release and reject (and block)."""
    return _tray(current_actor().require_user().id)


@bp.get("/users/<id:user_id>/shield/held")
@signed_in_page
def shield_helper_tray(user_id: int) -> Any:
    """Her tray as her helper sees it (404 to anyone else)."""
    return _tray(user_id)


@bp.post("/shield/<id:owner_id>/held/<id:post_id>/<any(release, reject):action>")
@signed_in_page
def shield_decide(owner_id: int, post_id: int, action: str) -> Any:
    """Release or reject one held item, by her or a helper."""
    check_csrf()
    actor = current_actor()
    shield.decide(db.session(), actor, owner_id, post_id, action,
                  block=request.form.get("block") == "1")
    commit()
    if actor.id == owner_id:
        return redirect(url_for("web.shield_tray"))
    return redirect(url_for("web.shield_helper_tray", user_id=owner_id))


@bp.post("/account/shield/helpers")
@signed_in_page
def shield_invite() -> Any:
    """Invite a helper by her handle."""
    check_csrf()
    handle = request.form.get("handle", "")[:64]
    try:
        shield.invite_helper_by_handle(db.session(), current_actor(), handle)
    except DomainError as exc:
        return _failed(exc)
    commit()
    return redirect(url_for("web.shield_settings") + "#helpers")


@bp.post("/account/shield/helpers/<id:user_id>/remove")
@signed_in_page
def shield_remove_helper(user_id: int) -> Any:
    """Remove a helper (or withdraw an invitation, or step down as someone's helper)."""
    check_csrf()
    shield.remove_helper(db.session(), current_actor(), user_id)
    commit()
    return redirect(url_for("web.shield_settings") + "#helpers")


@bp.post("/shield-invites/<id:invite_id>/<any(accept, decline):answer>")
@signed_in_page
def shield_answer_invite(invite_id: int, answer: str) -> Any:
    """Accept or decline an invitation to help."""
    check_csrf()
    if answer not in {"accept", "decline"}:  # pragma: no cover - the route's converter
        abort(404)
    shield.answer_invite(db.session(), current_actor(), invite_id, accept=answer == "accept")
    commit()
    return redirect(url_for("web.shield_settings") + "#helping")


@bp.get("/account/shield/activity")
@signed_in_page
def shield_activity() -> Any:
    """What her helpers did, newest first."""
    return page("web/shield_activity.html",
                activity=shield.activity(db.session(), current_actor()))
