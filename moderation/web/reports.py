"""Reporting from a page: a post, an account or a live-room message to the moderators,
through the moderation package's `create_report`, the same service the JSON API calls.

Imported by `moderation.install`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext, lazy_gettext

from forum import db
from forum.errors import DomainError, NotFound
from forum.http.limits import limited
from forum.http.sessions import current_actor, request_network_fingerprint
from forum.web.core import (
    bp,
    check_csrf,
    commit,
    form_errors,
    page,
    rollback,
    safe_next,
    signed_in_page,
)
from moderation.services import reports, targets

#: The reasons of API.md, in the member's words.
REASONS = (
    ("harassment", lazy_gettext("Harassment or bullying")),
    ("sexual_harassment", lazy_gettext("Sexual harassment")),
    ("threat", lazy_gettext("A threat to me or my family")),
    ("blackmail", lazy_gettext("Blackmail, including sextortion")),
    ("intimate_images", lazy_gettext("Private pictures shared or threatened")),
    ("personal_info", lazy_gettext("My personal details shared (doxxing)")),
    ("impersonation", lazy_gettext("Someone pretending to be me or someone else")),
    ("stalking", lazy_gettext("Stalking")),
    ("hacked_account", lazy_gettext("A hacked account")),
    ("hate", lazy_gettext("Hate")),
    ("self_harm", lazy_gettext("Someone may be at risk of harming herself")),
    ("spam", lazy_gettext("Spam")),
    ("other", lazy_gettext("Something else")),
)
OUTCOMES = (
    ("", lazy_gettext("Let the moderators decide")),
    ("hide_from_me", lazy_gettext("Hide this person from me (block)")),
    ("warn", lazy_gettext("Warn them")),
    ("remove", lazy_gettext("Remove it")),
    ("ban", lazy_gettext("Ban them")),
    ("help_me_report", lazy_gettext("Help me take it to the police or a helpline")),
)


def _visible(target_type: str, target_id: int) -> targets.Target:
    """The target, if this member can see it (the same rule the report service applies)."""
    target = targets.load_target(db.session(), target_type, target_id)
    if target is None or not targets.may_see(db.session(), current_actor(), target):
        raise NotFound("There is nothing to report here.")
    return target


def _visible_post(post_id: int) -> targets.Target:
    return _visible("post", post_id)


def _back(target: targets.Target) -> str:
    """Where the form leads back to, and where she lands after reporting."""
    if target.type == "post":
        assert target.thread is not None
        return url_for("web.thread", thread_id=target.thread.id) + f"#post-{target.id}"
    if target.type == "room_message" and target.room is not None:
        return url_for("web.room", slug=target.room.slug)
    return safe_next(request.values.get("next"))


def _render(target: targets.Target, status: int = 200, **extra: Any) -> Any:
    context: dict[str, Any] = {"form": {}, "errors": {}}
    context.update(extra)
    thread_id = target.thread.id if target.thread is not None else None
    return page("web/report.html", status, kind=target.type, target=target, post_id=target.id,
                thread_id=thread_id, back=_back(target),
                next=request.values.get("next", "") if target.type == "user" else "",
                reasons=REASONS, outcomes=OUTCOMES, **context)


def _form_page(post_id: int, status: int = 200, **extra: Any) -> Any:
    return _render(_visible_post(post_id), status, **extra)


def _file(target_type: str, target_id: int) -> Any:
    """File the report through `create_report`; the form again with its errors on failure."""
    check_csrf()
    target = _visible(target_type, target_id)
    back = _back(target)
    form = {
        "reason": request.form.get("reason", ""),
        "desired_outcome": request.form.get("desired_outcome", ""),
        "note": request.form.get("note", ""),
    }
    try:
        reports.create_report(
            db.session(), current_actor(), target_type=target_type, target_id=target.id,
            reason=form["reason"], desired_outcome=form["desired_outcome"] or None,
            note=form["note"] or None,
            auto_hide_at=int(current_app.config["FORUM"]["FORUM_AUTO_HIDE_REPORTS"]),
            network_fingerprint=request_network_fingerprint(),
        )
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        # A field the form does not have (e.g. reporting herself) is said in the message.
        extra = [m for name, ms in errors.items() if name not in form for m in ms]
        if extra:
            message = " ".join(extra)
        return _render(_visible(target_type, target_id), exc.status, form=form, errors=errors,
                       error=message)
    flash(gettext("Thank you for telling us. A moderator will look at it; you can follow it "
                  "on your account page."))
    if form["desired_outcome"] == "help_me_report":
        return redirect(url_for("web.help_lines") + "#take-it-further")
    return redirect(back)


@bp.get("/posts/<id:post_id>/report")
@signed_in_page
def report(post_id: int) -> Any:
    """The report form for one post."""
    return _form_page(post_id)


@bp.post("/posts/<id:post_id>/report")
@signed_in_page
@limited("report")
def report_post(post_id: int) -> Any:
    """File the report; `help_me_report` answers with the lines that take it further."""
    return _file("post", post_id)


@bp.get("/users/<id:user_id>/report")
@signed_in_page
def report_member(user_id: int) -> Any:
    """The report form for an account ("Report this member" next to her posts)."""
    return _render(_visible("user", user_id))


@bp.post("/users/<id:user_id>/report")
@signed_in_page
@limited("report")
def report_member_post(user_id: int) -> Any:
    """File a report about an account, then back to where she came from."""
    return _file("user", user_id)


@bp.get("/room-messages/<id:message_id>/report")
@signed_in_page
def report_room_message(message_id: int) -> Any:
    """The report form for one message of a live room ("Report" next to it in the room)."""
    return _render(_visible("room_message", message_id))


@bp.post("/room-messages/<id:message_id>/report")
@signed_in_page
@limited("report")
def report_room_message_post(message_id: int) -> Any:
    """File a report about a room message, then back to the room."""
    return _file("room_message", message_id)


STATUS_LABELS = {
    "open": lazy_gettext("Waiting for a moderator"),
    "actioned": lazy_gettext("Action taken"),
    "dismissed": lazy_gettext("No action taken"),
}


@bp.get("/account/reports")
@signed_in_page
def my_reports() -> Any:
    """Her reports and what came of them, newest first."""
    rows, next_cursor = reports.list_mine(db.session(), current_actor(),
                                          cursor=request.args.get("cursor"), limit=50)
    return page("web/my_reports.html", reports=rows, next_cursor=next_cursor,
                reasons=dict(REASONS), statuses=STATUS_LABELS)
