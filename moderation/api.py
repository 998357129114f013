"""Moderation over JSON, under `/api/v1`: reports, the review queue, sanctions, blocks, rules
and the audit log. Translators only: parse, load or 404, check access, call one service,
shape the answer; the `endpoint` wrapper commits once at the end.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request

from forum import db
from forum.api.core import endpoint
from forum.http.sessions import account_by_credentials, request_network_fingerprint
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.screening import Submission, installed_screener
from forum.shapes import page_size
from moderation import schemas as s
from moderation.helplines import REPORTING_HELPLINES
from moderation.services import (
    appeals,
    audit,
    blocks,
    care,
    reports,
    review,
    rules,
    sanctions,
)

bp = Blueprint("moderation_api", __name__, url_prefix="/api/v1")

PAGE_QUERY = (("cursor", "string"), ("limit", "integer"))


def _auto_hide_threshold() -> int:
    return int(current_app.config["FORUM"]["FORUM_AUTO_HIDE_REPORTS"])


# --- reports ---------------------------------------------------------------------------------

@endpoint("/reports", "POST", summary="Report a post, a room message or an account",
          tag="moderation", body=s.ReportIn, response=s.ReportCreatedOut, status=201,
          errors=(401, 403, 404, 409, 422), blueprint=bp, limit="report")
def create_report(actor: Actor, body: s.ReportIn) -> tuple[dict[str, Any], int]:
    report = reports.create_report(
        db.session(), actor,
        target_type=body.target_type, target_id=body.target_id, reason=body.reason,
        desired_outcome=body.desired_outcome, note=body.note,
        auto_hide_at=_auto_hide_threshold(), network_fingerprint=request_network_fingerprint(),
    )
    answer: dict[str, Any] = {"report": {"id": report.id, "status": report.status}}
    if report.desired_outcome == "help_me_report":
        # Who can take it further: the cyber-harassment helpline and the cyber-crime agency.
        answer["resources"] = list(REPORTING_HELPLINES)
    return answer, 201


@endpoint("/reports/mine", "GET", summary="My reports and what came of them",
          tag="moderation", response=s.MyReportsOut, query=PAGE_QUERY, errors=(401, 422),
          blueprint=bp)
def my_reports(actor: Actor) -> dict[str, Any]:
    rows, next_cursor = reports.list_mine(
        db.session(), actor, cursor=request.args.get("cursor"),
        limit=page_size(request.args.get("limit")),
    )
    return {"reports": rows, "next_cursor": next_cursor}


@endpoint("/moderation/check", "POST",
          summary="What posting this text would do, without posting it", tag="moderation",
          body=s.CheckIn, response=s.CheckOut, errors=(401, 422), blueprint=bp, limit="check")
def check_text(actor: Actor, body: s.CheckIn) -> dict[str, Any]:
    user = actor.require_user()
    screening = installed_screener().screen(
        db.session(), Submission(author=user, text=body.text, kind="check")
    )
    return {
        "status": screening.status,
        "reasons": list(screening.reasons),
        "resources": list(screening.resources),
    }


# --- the review queue ------------------------------------------------------------------------

@endpoint("/moderation/queue", "GET", summary="The review queue, crisis first (moderators)",
          tag="moderation", response=s.QueueOut,
          query=(("status", "string"), *PAGE_QUERY), errors=(401, 403, 422), blueprint=bp)
def queue(actor: Actor) -> dict[str, Any]:
    session = db.session()
    skipped = care.effective_opt_out(session, actor.id)[0] if actor.id is not None else frozenset()
    items, next_cursor = review.list_queue(
        session, actor, status=request.args.get("status", "open"),
        cursor=request.args.get("cursor"), limit=page_size(request.args.get("limit")),
        opt_out=skipped,
    )
    return {"items": review.items_json(session, actor, items), "next_cursor": next_cursor}


@endpoint("/moderation/queue/<int:item_id>/reveal", "POST",
          summary="Show me an item's masked words (each reveal is counted)", tag="moderation",
          response=s.CareEnvelope, errors=(401, 403, 404), blueprint=bp)
def reveal(actor: Actor, item_id: int) -> dict[str, Any]:
    session = db.session()
    return {"care": review.reveal(session, actor, review.load_item(session, actor, item_id))}


@endpoint("/moderation/care", "GET",
          summary="My review settings and pacing (categories I skip, my hourly cap)",
          tag="moderation", response=s.CareEnvelope, errors=(401, 403), blueprint=bp)
def my_care(actor: Actor) -> dict[str, Any]:
    actor.require(Permission.QUEUE_REVIEW)
    return {"care": care.state(db.session(), actor.require_user().id)}


@endpoint("/moderation/care", "PATCH", summary="Change my review settings", tag="moderation",
          body=s.CareIn, response=s.CareEnvelope, errors=(401, 403, 422), blueprint=bp)
def patch_care(actor: Actor, body: s.CareIn) -> dict[str, Any]:
    session = db.session()
    care.update_settings(session, actor, opt_out=body.opt_out, hourly_cap=body.hourly_cap)
    return {"care": care.state(session, actor.require_user().id)}


@endpoint("/moderation/exposure", "GET",
          summary="Moderators' exposure counts, numbers only (admins)", tag="moderation",
          response=s.ExposureOut, errors=(401, 403), blueprint=bp)
def exposure(actor: Actor) -> dict[str, Any]:
    return care.exposure_report(db.session(), actor)


@endpoint("/moderation/queue/<int:item_id>/claim", "POST", summary="Claim a review item",
          tag="moderation", response=s.QueueItemEnvelope, errors=(401, 403, 404, 409),
          blueprint=bp)
def claim(actor: Actor, item_id: int) -> dict[str, Any]:
    session = db.session()
    item = review.claim(session, actor, review.load_item(session, actor, item_id))
    return {"item": review.items_json(session, actor, [item])[0]}


@endpoint("/moderation/queue/<int:item_id>/resolve", "POST",
          summary="Decide on a review item, optionally with a sanction", tag="moderation",
          body=s.ResolveIn, response=s.QueueItemEnvelope, errors=(401, 403, 404, 409, 422),
          blueprint=bp)
def resolve(actor: Actor, body: s.ResolveIn, item_id: int) -> dict[str, Any]:
    session = db.session()
    item = review.resolve(
        session, actor, review.load_item(session, actor, item_id),
        decision=body.decision, note=body.note,
        sanction=body.sanction.model_dump() if body.sanction is not None else None,
        expected_version=body.version,
    )
    return {"item": review.items_json(session, actor, [item])[0]}


# --- sanctions -------------------------------------------------------------------------------

@endpoint("/users/<int:user_id>/sanctions", "POST", summary="Sanction a member (moderators)",
          tag="moderation", body=s.SanctionIn, response=s.SanctionEnvelope, status=201,
          errors=(401, 403, 404, 422), blueprint=bp)
def issue_sanction(actor: Actor, body: s.SanctionIn, user_id: int) -> tuple[dict[str, Any], int]:
    sanction = sanctions.issue_sanction(
        db.session(), actor, user_id,
        kind=body.kind, duration_hours=body.duration_hours, reason=body.reason,
    )
    return {"sanction": sanctions.sanction_json(sanction, actor.user)}, 201


@endpoint("/users/<int:user_id>/sanctions", "GET", summary="A member's sanctions (moderators)",
          tag="moderation", response=s.SanctionsOut, errors=(401, 403, 404), blueprint=bp)
def list_sanctions(actor: Actor, user_id: int) -> dict[str, Any]:
    session = db.session()
    rows = sanctions.list_sanctions(session, actor, user_id)
    return {"sanctions": sanctions.sanctions_json(session, rows)}


@endpoint("/sanctions/<int:sanction_id>", "DELETE", summary="Lift a sanction (moderators)",
          tag="moderation", status=204, errors=(401, 403, 404), blueprint=bp)
def lift_sanction(actor: Actor, sanction_id: int) -> tuple[None, int]:
    sanctions.lift_sanction(db.session(), actor, sanction_id)
    return None, 204


# --- blocks ----------------------------------------------------------------------------------

@endpoint("/blocks", "POST", summary="Block a member (silent)", tag="moderation",
          body=s.BlockIn, response=s.BlockEnvelope, status=201, errors=(401, 404, 422),
          blueprint=bp)
def block(actor: Actor, body: s.BlockIn) -> tuple[dict[str, Any], int]:
    session = db.session()
    made = blocks.block_user(session, actor, body.user_id)
    return {"block": blocks.block_json(made, session.get(User, body.user_id))}, 201


@endpoint("/blocks", "GET", summary="Members I blocked", tag="moderation",
          response=s.BlocksOut, errors=(401,), blueprint=bp)
def list_blocks(actor: Actor) -> dict[str, Any]:
    return {"blocks": blocks.list_blocks(db.session(), actor)}


@endpoint("/blocks/<int:user_id>", "DELETE", summary="Lift a block", tag="moderation",
          status=204, errors=(401,), blueprint=bp)
def unblock(actor: Actor, user_id: int) -> tuple[None, int]:
    blocks.unblock_user(db.session(), actor, user_id)
    return None, 204


# --- rules -----------------------------------------------------------------------------------

def _settings_json(session: Any) -> dict[str, Any]:
    chosen = rules.abuse_threshold(session)
    defaults = dict(rules.DEFAULT_ABUSE_THRESHOLDS)
    return {"abuse_threshold": chosen, "default_abuse_thresholds": defaults,
            "effective_abuse_thresholds": defaults if chosen is None else dict.fromkeys(defaults, chosen)}


@endpoint("/moderation/settings", "GET", summary="Filter settings (the learned detector's "
          "flag threshold)", tag="moderation", response=s.ModerationSettingsOut,
          errors=(401, 403), blueprint=bp)
def get_settings(actor: Actor) -> dict[str, Any]:
    actor.require(Permission.RULES_EDIT)
    return _settings_json(db.session())


@endpoint("/moderation/settings", "PATCH", summary="Change the detector's flag threshold "
          "(null restores the default); applies at once in every process", tag="moderation",
          body=s.ModerationSettingsIn, response=s.ModerationSettingsOut, errors=(401, 403, 422),
          blueprint=bp)
def patch_settings(actor: Actor, body: s.ModerationSettingsIn) -> dict[str, Any]:
    session = db.session()
    rules.set_abuse_threshold(session, actor, body.abuse_threshold)
    return _settings_json(session)


@endpoint("/moderation/rules", "GET", summary="Moderators' filter rules", tag="moderation",
          response=s.RulesOut, errors=(401, 403), blueprint=bp)
def list_rules(actor: Actor) -> dict[str, Any]:
    session = db.session()
    return {"rules": rules.rules_json(session, rules.list_rules(session, actor))}


@endpoint("/moderation/rules", "POST", summary="Add a filter rule (applies at once)",
          tag="moderation", body=s.RuleIn, response=s.RuleEnvelope, status=201,
          errors=(401, 403, 422), blueprint=bp)
def create_rule(actor: Actor, body: s.RuleIn) -> tuple[dict[str, Any], int]:
    rule = rules.create_rule(
        db.session(), actor, pattern=body.pattern, kind=body.kind, action=body.action,
        note=body.note,
    )
    return {"rule": rules.rule_json(rule, actor.user)}, 201


@endpoint("/moderation/rules/<int:rule_id>", "DELETE", summary="Remove a filter rule",
          tag="moderation", status=204, errors=(401, 403, 404), blueprint=bp)
def delete_rule(actor: Actor, rule_id: int) -> tuple[None, int]:
    rules.delete_rule(db.session(), actor, rule_id)
    return None, 204


# --- the audit log ---------------------------------------------------------------------------

@endpoint("/moderation/audit", "GET", summary="The audit log, newest first (moderators)",
          tag="moderation", response=s.AuditOut,
          query=(("action", "string"), *PAGE_QUERY), errors=(401, 403, 422), blueprint=bp)
def audit_log(actor: Actor) -> dict[str, Any]:
    actor.require(Permission.AUDIT_READ)
    entries, next_cursor = audit.list_entries(
        db.session(), actor, cursor=request.args.get("cursor"),
        limit=page_size(request.args.get("limit")), action=request.args.get("action") or None,
    )
    return {"entries": entries, "next_cursor": next_cursor}



# --- appeals ---------------------------------------------------------------------------------

@endpoint("/me/sanctions", "GET", summary="My sanctions, their appeals and until when I may appeal",
          tag="moderation", response=s.MySanctionsOut, errors=(401,), blueprint=bp)
def my_sanctions(actor: Actor) -> dict[str, Any]:
    return {"sanctions": appeals.my_sanctions(db.session(), actor.require_user().id)}


@endpoint("/sanctions/<int:sanction_id>/appeal", "POST", summary="Appeal one of my sanctions",
          tag="moderation", body=s.AppealIn, response=s.AppealEnvelope, status=201,
          errors=(401, 404, 409, 422), blueprint=bp, limit="report")
def appeal(actor: Actor, body: s.AppealIn, sanction_id: int) -> tuple[dict[str, Any], int]:
    filed = appeals.file_appeal(db.session(), actor.require_user(), sanction_id, body.text)
    return {"appeal": appeals.appeal_json(filed)}, 201


@endpoint("/auth/appeal", "POST",
          summary="Appeal a sanction without signing in (suspended or banned members)",
          tag="moderation", body=s.AppealSignedOutIn, response=s.AppealEnvelope, status=201,
          auth=False, errors=(401, 404, 409, 422), blueprint=bp, limit="login")
def appeal_signed_out(actor: Actor, body: s.AppealSignedOutIn) -> tuple[dict[str, Any], int]:
    member = account_by_credentials(body.handle, body.password, body.totp)
    filed = appeals.file_appeal(db.session(), member, body.sanction_id, body.text)
    return {"appeal": appeals.appeal_json(filed)}, 201


@endpoint("/moderation/appeals", "GET", summary="The appeal queue, oldest first (moderators)",
          tag="moderation", response=s.AppealsOut, query=(("status", "string"),),
          errors=(401, 403, 422), blueprint=bp)
def appeal_queue(actor: Actor) -> dict[str, Any]:
    return {"appeals": appeals.list_appeals(db.session(), actor, request.args.get("status"))}


@endpoint("/moderation/appeals/<int:appeal_id>/decide", "POST",
          summary="Uphold or overturn an appeal (a moderator other than the sanction's issuer)",
          tag="moderation", body=s.DecideAppealIn, response=s.StaffAppealEnvelope,
          errors=(401, 403, 404, 409, 422), blueprint=bp)
def decide_appeal(actor: Actor, body: s.DecideAppealIn, appeal_id: int) -> dict[str, Any]:
    return {"appeal": appeals.decide(db.session(), actor, appeal_id,
                                     decision=body.decision, note=body.note)}
