"""The notifications page and the badge every page shows (issue #16).

The page lists what she was told, in her language, each line a link to where it happened;
nothing in it quotes a post. The badge is a count only; `static/js/badge.js` keeps it (and
the "(2)" in the tab title) current with a cheap poll of the unread count (ETag / 304), so
ordinary pages carry no Socket.IO client.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, request, url_for
from flask_babel import gettext
from sqlalchemy.exc import SQLAlchemyError

from forum import db
from forum.errors import Invalid
from forum.http.sessions import current_actor
from forum.services import boards as board_service
from forum.services import notifications
from forum.shapes import page_size
from forum.web.core import bp, check_csrf, commit, form_errors, page, rollback, signed_in_page


def _says(kind: str, count: int, anonymous: bool) -> str:
    """What a notification says, in her language: never a title, handle or word of a post."""
    if kind == "reply":
        return (gettext("Someone replied anonymously in a conversation you follow.")
                if anonymous else gettext("Someone replied in a conversation you follow."))
    if kind == "support":
        return gettext("%(n)s people sent support to your post.", n=count) if count > 1 \
            else gettext("Someone sent support to your post.")
    return {
        "report_outcome": gettext("A moderator looked at something you reported."),
        "sanction": gettext("A moderator restricted your account. See the reason and how to "
                            "appeal on your account page."),
        "appeal_decided": gettext("Your appeal was decided."),
        "support_accepted": gettext("A counsellor accepted your request for private support."),
        "support_offered": gettext("A counsellor offered you a private conversation."),
        "shield_offer": gettext("Many new accounts replied to you. Shield mode can hold them "
                                "for you."),
        "shield_held": gettext("Your shield held %(n)s replies for you.", n=count),
        "helper_invite": gettext("Someone asked you to help with her shield."),
        "shield_ended": gettext("Your shield has ended. See what it held."),
    }.get(kind, gettext("Something new for you."))


def _says_of(item: dict[str, Any]) -> str:
    if item["kind"] == "sanction" and (item.get("sanction") or {}).get("kind") == "warn":
        return gettext("A moderator sent you a warning. See the reason on your account page.")
    return _says(item["kind"], item["count"], item.get("anonymous", False))


def _where(item: dict[str, Any]) -> str | None:
    kind = item["kind"]
    if kind in {"reply", "support"} and item.get("thread_id"):
        anchor = f"#post-{item['post_id']}" if item.get("post_id") else ""
        return url_for("web.thread", thread_id=item["thread_id"]) + anchor
    if kind in {"support_accepted", "support_offered"} and item.get("room"):
        return url_for("web.room", slug=item["room"])
    if kind == "report_outcome" and "web.my_reports" in _views():
        return url_for("web.my_reports")
    if kind in {"sanction", "appeal_decided"}:
        return url_for("web.account")
    if kind == "shield_offer":
        return url_for("web.shield_settings", offer=1)
    if kind == "shield_held":
        return url_for("web.shield_tray")
    if kind in {"helper_invite", "shield_ended"}:
        return url_for("web.shield_settings") + ("#helping" if kind == "helper_invite" else "")
    return None


def _views() -> Any:
    return current_app.view_functions


@bp.get("/notifications")
@signed_in_page
def notifications_page() -> Any:
    """Her notifications, newest first, each a link to where it happened."""
    actor = current_actor()
    unread_only = request.args.get("unread") == "1"
    items, unread, next_cursor = notifications.list_notifications(
        db.session(), actor, unread=unread_only, cursor=request.args.get("cursor"),
        limit=page_size(request.args.get("limit"), 30))
    shown = [{**item, "says": _says_of(item), "href": _where(item)} for item in items]
    return page("web/notifications.html", items=shown, unread_count=unread,
                next_cursor=next_cursor, unread_only=unread_only)


@bp.post("/notifications/read")
@signed_in_page
def notifications_read() -> Any:
    """Mark one (`id`) or all of her notifications read."""
    check_csrf()
    raw = request.form.get("id")
    ids = [int(raw)] if raw and raw.isdigit() and len(raw) < 19 else None
    notifications.mark_read(db.session(), current_actor(), ids)
    commit()
    return redirect(url_for("web.notifications_page"))


@bp.app_context_processor
def _badge() -> dict[str, Any]:
    """`unread_notifications()` for the header's badge: read only when a page shows it."""

    def unread_notifications() -> int:
        actor = current_actor()
        if actor.user is None:
            return 0
        try:
            return notifications.unread_count(db.session(), actor.user.id)
        except SQLAlchemyError:  # an error page while the database is away: no count
            current_app.logger.warning("unread count unavailable for the badge")
            return 0

    return {"unread_notifications": unread_notifications}


@bp.get("/notifications/settings")
@signed_in_page
def notification_settings() -> Any:
    """Quiet hours in her time zone, and the boards she muted."""
    return _settings_page()


def _settings_page(status: int = 200, error: str | None = None) -> Any:
    actor = current_actor()
    session = db.session()
    user = actor.require_user()
    return page("web/notification_settings.html", status,
                settings=notifications.settings_json(session, user.id),
                boards=board_service.list_boards(session, actor), error=error)


@bp.post("/notifications/settings")
@signed_in_page
def notification_settings_post() -> Any:
    """The same change as `PATCH /me/notification-settings`, from a form."""
    check_csrf()
    start, end = request.form.get("quiet_start", ""), request.form.get("quiet_end", "")
    changes: dict[str, Any] = {
        "quiet_hours": {"start": start, "end": end} if start or end else None,
        "timezone": request.form.get("timezone", "").strip() or "Asia/Karachi",
        "muted_boards": request.form.getlist("muted"),
    }
    try:
        notifications.update_settings(db.session(), current_actor(), changes)
    except Invalid as exc:
        rollback()
        fields, general = form_errors(exc)
        return _settings_page(422, "; ".join(m for ms in fields.values() for m in ms) or general)
    commit()
    return redirect(url_for("web.notifications_page"))
