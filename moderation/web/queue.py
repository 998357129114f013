"""Moderators' pages: the review queue (claim, decide, sanction in the same step), a member's
sanctions, the filter rules and the audit log. Each form calls the moderation package's
service, as its JSON API does; only registered when that package is installed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import format_timedelta, gettext

from forum import db
from forum.errors import DomainError, Invalid
from forum.policy import Permission
from forum.sessions import current_actor
from forum.shapes import page_size
from forum.web.core import bp, check_csrf, commit, form_errors, page, rollback, signed_in_page
from moderation.services import audit, review, rules, sanctions

SANCTION_KINDS = ("warn", "mute", "suspend", "ban")
RULE_KINDS = ("word", "phrase", "regex")
RULE_ACTIONS = ("block", "hold", "flag", "censor")


def _hours(raw: str | None) -> int | None:
    """`duration_hours` from a form: empty means permanent."""
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid({"duration_hours": [gettext("A whole number of hours.")]}) from None


@bp.get("/moderation")
@signed_in_page
def moderation_queue() -> Any:
    """The review queue, crisis first; `?status=resolved` shows decided items."""
    actor = current_actor()
    dbs = db.session()
    status = request.args.get("status", "open")
    items, next_cursor = review.list_queue(dbs, actor, status=status,
                                           cursor=request.args.get("cursor"),
                                           limit=page_size(request.args.get("limit")))
    shaped = review.items_json(dbs, actor, items)
    for item in shaped:  # how long she has waited, in the moderator's language
        seconds = item.get("waiting_seconds")
        item["waited"] = (format_timedelta(dt.timedelta(seconds=seconds), threshold=1)
                          if seconds is not None else None)
    commit()  # looking at anonymous authors is audited
    return page("web/moderation/queue.html", items=shaped, status=status,
                next_cursor=next_cursor, sanction_kinds=SANCTION_KINDS)


@bp.post("/moderation/queue/<id:item_id>/claim")
@signed_in_page
def moderation_claim(item_id: int) -> Any:
    """Take an item so no one else works on it at the same time."""
    check_csrf()
    actor = current_actor()
    actor.require(Permission.QUEUE_REVIEW)  # a refusal is a 403 page, not a redirect
    dbs = db.session()
    try:
        review.claim(dbs, actor, review.load_item(dbs, actor, item_id))
        commit()
    except DomainError as exc:
        rollback()
        flash(form_errors(exc)[1], "error")
    return redirect(url_for("web.moderation_queue") + f"#item-{item_id}")


@bp.post("/moderation/queue/<id:item_id>/resolve")
@signed_in_page
def moderation_resolve(item_id: int) -> Any:
    """Approve, remove or dismiss, optionally with a sanction on the author."""
    check_csrf()
    actor = current_actor()
    actor.require(Permission.QUEUE_REVIEW)  # a refusal is a 403 page, not a redirect
    dbs = db.session()
    form = request.form
    try:
        sanction = None
        if form.get("sanction_kind"):
            sanction = {"kind": form["sanction_kind"],
                        "duration_hours": _hours(form.get("duration_hours")),
                        "reason": form.get("sanction_reason", "")}
        version = form.get("version")
        review.resolve(dbs, actor, review.load_item(dbs, actor, item_id),
                       decision=form.get("decision", ""), note=form.get("note") or None,
                       sanction=sanction,
                       expected_version=int(version) if version and version.isdigit() else None)
        commit()
    except DomainError as exc:
        rollback()
        flash(form_errors(exc)[1] + " " + " ".join(
            m for ms in form_errors(exc)[0].values() for m in ms), "error")
        return redirect(url_for("web.moderation_queue") + f"#item-{item_id}")
    flash(gettext("Decision saved."))
    return redirect(url_for("web.moderation_queue"))


@bp.get("/moderation/users/<id:user_id>/sanctions")
@signed_in_page
def moderation_sanctions(user_id: int) -> Any:
    """A member's sanctions, and the form to issue one."""
    return _sanctions_page(user_id)


def _sanctions_page(user_id: int, code: int = 200, **extra: Any) -> Any:
    dbs = db.session()
    rows = sanctions.list_sanctions(dbs, current_actor(), user_id)
    context: dict[str, Any] = {"errors": {}, "form": {}}
    context.update(extra)
    return page("web/moderation/sanctions.html", code, user_id=user_id,
                sanctions=sanctions.sanctions_json(dbs, rows), kinds=SANCTION_KINDS, **context)


@bp.post("/moderation/users/<id:user_id>/sanctions")
@signed_in_page
def moderation_sanction_issue(user_id: int) -> Any:
    """Issue a warning, mute, suspension or ban."""
    check_csrf()
    form = {k: request.form.get(k, "") for k in ("kind", "duration_hours", "reason")}
    try:
        sanctions.issue_sanction(db.session(), current_actor(), user_id, kind=form["kind"],
                                 duration_hours=_hours(form["duration_hours"]),
                                 reason=form["reason"])
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return _sanctions_page(user_id, exc.status, errors=errors, error=message, form=form)
    flash(gettext("Sanction issued."))
    return redirect(url_for("web.moderation_sanctions", user_id=user_id))


@bp.post("/moderation/sanctions/<id:sanction_id>/lift")
@signed_in_page
def moderation_sanction_lift(sanction_id: int) -> Any:
    """Lift a sanction early."""
    check_csrf()
    lifted = sanctions.lift_sanction(db.session(), current_actor(), sanction_id)
    user_id = lifted.user_id
    commit()
    flash(gettext("Sanction lifted."))
    return redirect(url_for("web.moderation_sanctions", user_id=user_id))


@bp.get("/moderation/rules")
@signed_in_page
def moderation_rules() -> Any:
    """The filter rules moderators added, and the form to add one."""
    return _rules_page()


def _rules_page(code: int = 200, **extra: Any) -> Any:
    dbs = db.session()
    rows = rules.list_rules(dbs, current_actor())
    context: dict[str, Any] = {"errors": {}, "form": {}}
    context.update(extra)
    return page("web/moderation/rules.html", code, rules=rules.rules_json(dbs, rows),
                kinds=RULE_KINDS, actions=RULE_ACTIONS, **context)


@bp.post("/moderation/rules")
@signed_in_page
def moderation_rule_create() -> Any:
    """Add a rule; it applies to the next text screened."""
    check_csrf()
    form = {k: request.form.get(k, "") for k in ("pattern", "kind", "action", "note")}
    try:
        rules.create_rule(db.session(), current_actor(), pattern=form["pattern"],
                          kind=form["kind"], action=form["action"], note=form["note"] or None)
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return _rules_page(exc.status, errors=errors, error=message, form=form)
    flash(gettext("Rule added."))
    return redirect(url_for("web.moderation_rules"))


@bp.post("/moderation/rules/<id:rule_id>/delete")
@signed_in_page
def moderation_rule_delete(rule_id: int) -> Any:
    """Remove a rule."""
    check_csrf()
    rules.delete_rule(db.session(), current_actor(), rule_id)
    commit()
    flash(gettext("Rule removed."))
    return redirect(url_for("web.moderation_rules"))


@bp.get("/moderation/audit")
@signed_in_page
def moderation_audit() -> Any:
    """The audit log, newest first."""
    actor = current_actor()
    actor.require(Permission.AUDIT_READ)
    entries, next_cursor = audit.list_entries(
        db.session(), actor, cursor=request.args.get("cursor"),
        limit=page_size(request.args.get("limit")), action=request.args.get("action") or None)
    return page("web/moderation/audit.html", entries=entries, next_cursor=next_cursor)
