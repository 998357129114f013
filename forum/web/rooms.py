"""Room pages: the list of support rooms, asking for private support, announcing, opening
and closing rooms (counsellors), and the live room, whose messages travel over Socket.IO
(`static/js/room.js` with the vendored client; the socket handlers live in `forum.realtime`).

The list and its forms work without JavaScript; only the live conversation needs it.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext

from forum import db
from forum.db import utcnow
from forum.errors import DomainError
from forum.http.limits import limited
from forum.http.sessions import current_actor
from forum.policy import Permission
from forum.policy import rooms as room_rules
from forum.services import rooms, support
from forum.web.core import (
    bp,
    check_csrf,
    commit,
    form_errors,
    page,
    rollback,
    signed_in_page,
)


def _rooms_page(code: int = 200, **extra: Any) -> Any:
    actor = current_actor()
    context: dict[str, Any] = {"form": {}, "errors": {}}
    context.update(extra)
    dbs = db.session()
    waiting = (support.waiting_requests(dbs, actor, utcnow())
               if actor.can(Permission.SUPPORT_ACCEPT) else [])
    return page(
        "web/rooms.html", code,
        rooms=rooms.list_rooms(dbs, actor, rooms.installed_room_state()),
        may_host=actor.can(Permission.ROOM_CREATE),
        waiting=waiting,
        # Live without reloading (issue #16): her waiting requests, or the counsellors' list.
        my_waiting=support.my_waiting_requests(dbs, actor),
        can_accept_support=actor.can(Permission.SUPPORT_ACCEPT),
        **context,
    )


@bp.get("/rooms")
def rooms_list() -> Any:
    """Scheduled and open rooms, and the forms around them."""
    return _rooms_page()


@bp.post("/rooms")
@signed_in_page
def room_create() -> Any:
    """A counsellor announces a room; she hosts it."""
    check_csrf()
    form = {"title": request.form.get("title", ""),
            "description": request.form.get("description", "")}
    try:
        room = rooms.create_room(db.session(), current_actor(), title=form["title"],
                                 description=form["description"])
        room_id, slug = room.id, room.slug
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return _rooms_page(exc.status, form=form, errors=errors, error=message)
    rooms.room_changed.send(room_id)
    return redirect(url_for("web.room", slug=slug))


@bp.post("/rooms/<slug>/<any(open, close):action>")
@signed_in_page
def room_status(slug: str, action: str) -> Any:
    """The host opens the room, or closes it for good."""
    check_csrf()
    actor = current_actor()
    dbs = db.session()
    room = rooms.load_visible_room(dbs, actor, slug)
    (rooms.open_room if action == "open" else rooms.close_room)(dbs, actor, room)
    room_id = room.id
    commit()
    rooms.room_changed.send(room_id)
    return redirect(url_for("web.room", slug=slug))


@bp.post("/rooms/support")
@signed_in_page
@limited("support_request")
def support_request() -> Any:
    """A member asks for a private conversation with a counsellor."""
    check_csrf()
    try:
        found = support.request_support(db.session(), current_actor(),
                                        topic=request.form.get("topic", ""))
        request_id = found.id
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return _rooms_page(exc.status, errors=errors, error=message)
    rooms.support_requested.send(request_id)
    flash(gettext("Your request is waiting. When a counsellor takes it, this page shows "
                  "the way to your private room."))
    return redirect(url_for("web.rooms_list"))


@bp.post("/rooms/support/<id:request_id>/accept")
@signed_in_page
def support_accept(request_id: int) -> Any:
    """A counsellor takes a waiting request: a private room opens for the two of them."""
    check_csrf()
    actor = current_actor()
    actor.require(Permission.SUPPORT_ACCEPT)  # a refusal is a 403 page, not a redirect
    try:
        done = support.accept(db.session(), actor, request_id)
        slug = done.room.slug
        commit()
    except DomainError as exc:
        rollback()
        flash(form_errors(exc)[1], "error")
        return redirect(url_for("web.rooms_list"))
    rooms.support_accepted.send(request_id)
    return redirect(url_for("web.room", slug=slug))


@bp.get("/rooms/<slug>")
def room(slug: str) -> Any:
    """One room: what it is, and (signed in, with JavaScript) the live conversation."""
    actor = current_actor()
    dbs = db.session()
    found = rooms.load_visible_room(dbs, actor, slug)
    shown = rooms.describe_room(dbs, found, rooms.installed_room_state())
    is_host = room_rules.may_moderate(actor, found)
    return page("web/room.html", room=shown, is_host=is_host,
                may_offer=is_host or actor.can(Permission.SUPPORT_ACCEPT), vendor_js=True)
