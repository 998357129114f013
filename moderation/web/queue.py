"""Moderators' pages: the review queue (claim, decide, sanction in the same step), a member's
sanctions, the filter rules and the audit log. Each form calls the moderation package's
service, as its JSON API does; only registered when that package is installed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import format_timedelta, gettext, lazy_gettext
from sqlalchemy import select

from forum import db
from forum.errors import DomainError, Invalid, NotFound
from forum.http.sessions import current_actor
from forum.models.user import User
from forum.policy import Permission
from forum.shapes import page_size
from forum.web.core import bp, check_csrf, commit, form_errors, page, rollback, signed_in_page
from moderation.services import audit, care, review, rules, sanctions
from moderation.web import labels

SANCTION_KINDS = ("warn", "mute", "suspend", "ban")
RULE_KINDS = ("word", "phrase", "regex")
RULE_ACTIONS = ("block", "hold", "flag", "censor")
#: The lengths a sanction can be given on the pages, in hours; "permanent" is a choice of its
#: own and needs a confirmation (an empty field never means permanent here).
DURATIONS = (
    ("24", lazy_gettext("1 day")),
    ("72", lazy_gettext("3 days")),
    ("168", lazy_gettext("1 week")),
    ("720", lazy_gettext("30 days")),
)
PERMANENT = "permanent"


@bp.app_context_processor
def _care_links() -> dict[str, Any]:
    """Lets the moderation menu show admins the workload page."""
    return {"exposure_permission": Permission.EXPOSURE_READ}


def _hours(raw: str | None) -> int:
    """Hours typed in a form: a whole number."""
    try:
        return int(raw or "")
    except ValueError:
        raise Invalid({"duration_hours": [gettext("A whole number of hours.")]}) from None


def _duration(form: Any, kind: str) -> int | None:
    """How long a sanction lasts, from the page's choice: one of DURATIONS, hours typed in,
    or `permanent` with its confirmation ticked (None). A warning needs no length. Choosing
    nothing is an error, never a permanent sanction."""
    chosen = form.get("duration", "")
    if chosen == PERMANENT:
        if form.get("confirm_permanent") != "yes":
            raise Invalid({"duration": [gettext(
                "A permanent sanction needs its confirmation: tick the box.")]})
        return None
    if chosen.isdigit():
        return int(chosen)
    if form.get("duration_hours"):
        return _hours(form.get("duration_hours"))
    if kind == "warn":
        return None
    raise Invalid({"duration": [gettext("Choose how long it lasts.")]})


def _shown_text(item: dict[str, Any], revealed: bool) -> None:
    """What the page shows of an item and its context: masked words stay masked until she
    asks (and that is counted), whatever the API carries."""
    item["revealed"] = revealed
    item["masked_total"] = (item["masked_words"] + item["masked_title_words"]
                            + sum(c["masked_words"] for c in item["context"]))
    item["shown_text"] = (item["target"].get("text") if revealed or not item["masked_text"]
                          else item["masked_text"])
    item["shown_title"] = (item["target"].get("thread_title")
                           if revealed or not item["masked_thread_title"]
                           else item["masked_thread_title"])
    for post in item["context"]:
        post["shown_text"] = post["text"] if revealed or not post["masked_text"] else post["masked_text"]


def _label(item: dict[str, Any], revealed: set[int]) -> dict[str, Any]:
    """An item with words for every code, and how long it has waited."""
    seconds = item.get("waiting_seconds")
    item["waited"] = (format_timedelta(dt.timedelta(seconds=seconds), threshold=1)
                      if seconds is not None else None)
    item["reason_labels"] = labels.reason_labels(item["reasons"] or [])
    for report in item["reports"]:
        report["reason_label"] = labels.REPORT_REASONS.get(report["reason"], labels.UNKNOWN)
        report["outcome_label"] = labels.DESIRED_OUTCOMES.get(report["desired_outcome"] or "")
    _shown_text(item, item["id"] in revealed)
    return item


def _lighter_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first item that is not severe, moved to the top (after a streak of severe ones)."""
    for index, item in enumerate(items):
        if not item["severe"]:
            return [item, *items[:index], *items[index + 1:]]
    return items


@bp.get("/moderation")
@signed_in_page
def moderation_queue() -> Any:
    """The review queue, crisis first; `?status=resolved` shows decided items;
    `?lighter=1` puts a lighter item first."""
    actor = current_actor()
    actor.require(Permission.QUEUE_REVIEW)
    dbs = db.session()
    status = request.args.get("status", "open")
    mine = care.state(dbs, actor.require_user().id)
    skipped, kept = care.effective_opt_out(dbs, actor.require_user().id)
    items, next_cursor = review.list_queue(dbs, actor, status=status,
                                           cursor=request.args.get("cursor"),
                                           limit=page_size(request.args.get("limit")),
                                           opt_out=skipped)
    revealed = care.revealed_items(dbs, actor.require_user().id)
    shaped = [_label(item, revealed) for item in review.items_json(dbs, actor, items)]
    lighter = request.args.get("lighter") == "1"
    if lighter:
        shaped = _lighter_first(shaped)
    commit()  # looking at anonymous authors is audited
    return page("web/moderation/queue.html", items=shaped, status=status,
                next_cursor=next_cursor, sanction_kinds=labels.SANCTION_KINDS,
                durations=DURATIONS, care=mine, lighter=lighter, labels=labels,
                skipped=[c for c in mine["opt_out"] if c in skipped], kept=kept,
                has_lighter=any(not i["severe"] for i in shaped))


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


@bp.post("/moderation/queue/<id:item_id>/reveal")
@signed_in_page
def moderation_reveal(item_id: int) -> Any:
    """Show her the masked words of one item (counted; shown to her for the next hour)."""
    check_csrf()
    actor = current_actor()
    actor.require(Permission.QUEUE_REVIEW)
    dbs = db.session()
    review.reveal(dbs, actor, review.load_item(dbs, actor, item_id))
    commit()
    return redirect(url_for("web.moderation_queue") + f"#item-{item_id}")


def _sanction_from(form: Any) -> dict[str, Any] | None:
    kind = form.get("sanction_kind", "")
    if not kind:
        return None
    return {"kind": kind, "duration_hours": _duration(form, kind),
            "reason": form.get("sanction_reason", "")}


@bp.post("/moderation/queue/<id:item_id>/resolve")
@signed_in_page
def moderation_resolve(item_id: int) -> Any:
    """Approve, remove or dismiss, optionally with a sanction on the author. There is no
    default decision: an item sent without one is refused with a message."""
    check_csrf()
    actor = current_actor()
    actor.require(Permission.QUEUE_REVIEW)  # a refusal is a 403 page, not a redirect
    dbs = db.session()
    form = request.form
    try:
        if form.get("decision") not in {"approve", "remove", "dismiss"}:
            raise Invalid({"decision": [gettext("Choose a decision for this item.")]})
        version = form.get("version")
        review.resolve(dbs, actor, review.load_item(dbs, actor, item_id),
                       decision=form["decision"], note=form.get("note") or None,
                       sanction=_sanction_from(form),
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
    """A member's history (her sanctions, recent reports about her content) and the form to
    issue a sanction."""
    return _sanctions_page(user_id)


def _sanctions_page(user_id: int, code: int = 200, **extra: Any) -> Any:
    dbs = db.session()
    actor = current_actor()
    rows = sanctions.list_sanctions(dbs, actor, user_id)
    member = dbs.get(User, user_id)
    if member is None:
        raise NotFound("No such user.")
    history = review.reports_about(dbs, actor, user_id)
    for report in history["reports"]:
        report["reason_label"] = labels.REPORT_REASONS.get(report["reason"], labels.UNKNOWN)
        report["outcome_label"] = labels.DESIRED_OUTCOMES.get(report["desired_outcome"] or "")
    context: dict[str, Any] = {"errors": {}, "form": {}}
    context.update(extra)
    return page("web/moderation/sanctions.html", code, user_id=user_id, member=member,
                sanctions=sanctions.sanctions_json(dbs, rows), kinds=labels.SANCTION_KINDS,
                durations=DURATIONS, history=history, labels=labels, **context)


@bp.post("/moderation/users/<id:user_id>/sanctions")
@signed_in_page
def moderation_sanction_issue(user_id: int) -> Any:
    """Issue a warning, mute, suspension or ban, for a length chosen explicitly."""
    check_csrf()
    form = {k: request.form.get(k, "") for k in
            ("kind", "duration", "duration_hours", "confirm_permanent", "reason")}
    try:
        sanctions.issue_sanction(db.session(), current_actor(), user_id, kind=form["kind"],
                                 duration_hours=_duration(form, form["kind"]),
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
    """The audit log, newest first, each entry's details written out and members named by
    their handles."""
    actor = current_actor()
    actor.require(Permission.AUDIT_READ)
    dbs = db.session()
    entries, next_cursor = audit.list_entries(
        dbs, actor, cursor=request.args.get("cursor"),
        limit=page_size(request.args.get("limit")), action=request.args.get("action") or None)
    wanted = {e["target_id"] for e in entries if e["target_type"] == "user" and e["target_id"]}
    handles = ({u.id: u.handle for u in dbs.scalars(select(User).where(User.id.in_(wanted)))}
               if wanted else {})
    for entry in entries:
        entry["target_handle"] = handles.get(entry["target_id"]) if entry["target_type"] == "user" else None
        entry["detail_rows"] = _detail_rows(entry["details"])
    return page("web/moderation/audit.html", entries=entries, next_cursor=next_cursor,
                labels=labels)


def _detail_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """An entry's details as (name, value) lines: lists joined, nothing empty."""
    rows = []
    for key, value in sorted(details.items()):
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        rows.append((key.replace("_", " "), str(value)))
    return rows


@bp.get("/moderation/care")
@signed_in_page
def moderation_care() -> Any:
    """Her review settings: categories she does not review, her hourly cap; and her counts."""
    return _care_page()


def _care_page(code: int = 200, **extra: Any) -> Any:
    actor = current_actor()
    actor.require(Permission.QUEUE_REVIEW)
    context: dict[str, Any] = {"errors": {}}
    context.update(extra)
    return page("web/moderation/care.html", code, care=care.state(db.session(), actor.require_user().id),
                categories=labels.CATEGORIES, **context)


@bp.post("/moderation/care")
@signed_in_page
def moderation_care_save() -> Any:
    """Save her settings."""
    check_csrf()
    actor = current_actor()
    actor.require(Permission.QUEUE_REVIEW)
    raw_cap = request.form.get("hourly_cap", "").strip()
    try:
        if not raw_cap.isdigit():
            raise Invalid({"hourly_cap": [gettext("A whole number of items.")]})
        care.update_settings(db.session(), actor, opt_out=request.form.getlist("opt_out"),
                             hourly_cap=int(raw_cap))
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return _care_page(exc.status, errors=errors, error=message)
    flash(gettext("Settings saved."))
    return redirect(url_for("web.moderation_care"))


@bp.get("/moderation/exposure")
@signed_in_page
def moderation_exposure() -> Any:
    """For admins: how much each moderator has reviewed, in numbers only."""
    report = care.exposure_report(db.session(), current_actor())
    return page("web/moderation/exposure.html", report=report, categories=labels.CATEGORIES)
