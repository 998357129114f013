"""Moderator-written filter rules, beside the shipped lexicons.

Every change bumps the single-row rules version with a fresh random stamp; each process's
screener compares the stamp with that of its compiled pipeline and rebuilds when they differ,
so a new rule holds at once everywhere, without a restart.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.audit import record_action
from forum.db import rows_affected, utcnow
from forum.errors import Invalid, NotFound
from forum.models.user import User
from forum.policy import Actor, Permission
from forum.shapes import iso, user_json
from moderation.domain.pipeline import Pipeline, RuleSpec
from moderation.domain.rules import InvalidRule, check_regex
from moderation.models import ModerationRule, RulesVersion

log = logging.getLogger(__name__)

KINDS = ("word", "phrase", "regex")
ACTIONS = ("block", "hold", "flag", "censor")
PATTERN_MAX = 200
NOTE_MAX = 1000
VERSION_ROW = 1


_STAMP = select(RulesVersion.stamp).where(RulesVersion.id == VERSION_ROW)  # built once: every post asks


def current_stamp(session: Session) -> str:
    """The stamp of the rules in the database ("" before any rule was ever written)."""
    return session.scalar(_STAMP) or ""


def bump_version(session: Session) -> None:
    """Mark the rules as changed, for every process."""
    now = utcnow()
    stamp = uuid.uuid4().hex
    result = session.execute(
        update(RulesVersion)
        .where(RulesVersion.id == VERSION_ROW)
        .values(version=RulesVersion.version + 1, stamp=stamp, changed_at=now)
    )
    if rows_affected(result):
        return
    try:
        with session.begin_nested():
            session.add(RulesVersion(id=VERSION_ROW, version=1, stamp=stamp, changed_at=now))
            session.flush()
    except IntegrityError:  # created by a concurrent change: bump that one
        session.execute(
            update(RulesVersion)
            .where(RulesVersion.id == VERSION_ROW)
            .values(version=RulesVersion.version + 1, stamp=stamp, changed_at=now)
        )


#: The detector's default flag thresholds on Saheli, per language, read off the support-talk
#: cases of bench/moderation_eval (benign talk flagged / abuse caught): the model's own
#: threshold (0.49, best macro-F1 on RUHSOLD validation tweets, almost half of them abusive)
#: flags 4–13 % of benign support talk. Roman Urdu at 0.6: 3 % / 44 %; Urdu script, the
#: smallest training set, at 0.8: 4 % / 23 %; English, trained on few English tweets, still
#: scores some greetings above 0.6 (markdown, "first time here"), so 0.9: 0 % / 17 % (the
#: English lexicon carries the rest). Flags only queue for review; a moderator's single
#: threshold replaces all three. Urdu script moved from 0.8 to 0.9 in the eighth round of issue
#: #13: at 0.8 the abuse model flagged 9 of the 102 Urdu benign look-alikes of
#: bench/moderation_eval/harm (Ghalib and Faiz, advice on reporting), at 0.9 4 of them; the
#: Urdu test part of the detector's own set loses 2 of 36 abusive texts (19 -> 17), and Urdu
#: threats and coercion are the harm model's (moderation/domain/data/harm_model.json).
DEFAULT_ABUSE_THRESHOLDS = {"roman_ur": 0.6, "ur": 0.9, "en": 0.9}


def abuse_threshold(session: Session) -> float | None:
    """The detector threshold moderators set, or None for the model's default."""
    return session.scalar(
        select(RulesVersion.abuse_threshold).where(RulesVersion.id == VERSION_ROW)
    )


def set_abuse_threshold(session: Session, actor: Actor, threshold: float | None) -> None:
    """Moderators tune how readily the learned detector flags (0–1; None restores the
    default). Audited, and applied in every process through the rules version."""
    actor.require(Permission.RULES_EDIT)
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise Invalid({"abuse_threshold": ["A number above 0 and at most 1, or null."]})
    bump_version(session)
    session.execute(
        update(RulesVersion)
        .where(RulesVersion.id == VERSION_ROW)
        .values(abuse_threshold=threshold)
    )
    record_action(session, actor, "moderation.settings", None, None, abuse_threshold=threshold)


def list_rules(session: Session, actor: Actor) -> list[ModerationRule]:
    """All moderator rules, newest first."""
    actor.require(Permission.RULES_EDIT)
    return list(session.scalars(select(ModerationRule).order_by(ModerationRule.id.desc())))


def validate_rule(pattern: str, kind: str, action: str) -> str:
    """Check a rule before it is stored (a broken rule must never break posting);
    returns the cleaned pattern."""
    errors: dict[str, list[str]] = {}
    cleaned = (pattern or "").strip()
    if not cleaned:
        errors["pattern"] = ["Write a word, phrase or pattern."]
    elif len(cleaned) > PATTERN_MAX:
        errors["pattern"] = [f"At most {PATTERN_MAX} characters."]
    if kind not in KINDS:
        errors["kind"] = ["Use 'word', 'phrase' or 'regex'."]
    if action not in ACTIONS:
        errors["action"] = ["Use 'block', 'hold', 'flag' or 'censor'."]
    if not errors and kind == "regex":
        # RE2 syntax (linear-time matching), no catastrophic repetition: README, "Regex rules".
        try:
            check_regex(cleaned)
        except InvalidRule as exc:
            errors["pattern"] = [f"{str(exc)[:1].upper()}{str(exc)[1:]}."]
    if not errors and kind == "word" and len(cleaned.split()) > 1:
        errors["kind"] = ["A word rule holds one word; use 'phrase' for several."]
    if not errors:
        # Let the pipeline itself judge the rule, so nothing it would reject is stored.
        try:
            Pipeline.build(
                [RuleSpec(id="rule:check", pattern=cleaned, kind=kind, action=action)],
                include_lexicons=False,
            )
        except Exception as exc:  # noqa: BLE001 - any rejection is the moderator's to fix
            errors["pattern"] = [f"The filter cannot use this pattern: {exc}"]
    if errors:
        raise Invalid(errors)
    return cleaned


def create_rule(
    session: Session, actor: Actor, *, pattern: str, kind: str, action: str, note: str | None
) -> ModerationRule:
    """Add a rule; it applies to the next text screened, in every process."""
    actor.require(Permission.RULES_EDIT)
    cleaned = validate_rule(pattern, kind, action)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid({"note": [f"At most {NOTE_MAX} characters."]})
    rule = ModerationRule(
        pattern=cleaned, kind=kind, action=action, note=note, created_by_id=actor.id
    )
    session.add(rule)
    session.flush()
    bump_version(session)
    record_action(session, actor, "rule.create", "rule", rule.id,
                  pattern=cleaned, kind=kind, rule_action=action, note=note)
    return rule


def delete_rule(session: Session, actor: Actor, rule_id: int) -> None:
    """Remove a rule; texts screened from now on no longer meet it."""
    actor.require(Permission.RULES_EDIT)
    rule = session.get(ModerationRule, rule_id)
    if rule is None:
        raise NotFound("No such rule.")
    record_action(session, actor, "rule.delete", "rule", rule.id,
                  pattern=rule.pattern, kind=rule.kind, rule_action=rule.action)
    session.delete(rule)
    session.flush()
    bump_version(session)


def rule_json(rule: ModerationRule, author: User | None = None) -> dict[str, Any]:
    """A rule as moderators see it."""
    return {
        "id": rule.id,
        "pattern": rule.pattern,
        "kind": rule.kind,
        "action": rule.action,
        "note": rule.note,
        "created_by": user_json(author),
        "created_at": iso(rule.created_at),
    }


def rules_json(session: Session, rows: list[ModerationRule]) -> list[dict[str, Any]]:
    """Several rules, with who wrote each."""
    ids = {r.created_by_id for r in rows if r.created_by_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [rule_json(r, users.get(r.created_by_id) if r.created_by_id else None) for r in rows]
