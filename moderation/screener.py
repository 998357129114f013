"""`ModerationScreener`: what posting (and room messages) ask before writing a text.

It runs the text pipeline (`moderation.domain`) compiled from the shipped lexicons and the
moderators' rules, adds what only the database knows (the author's age and recent words, ban
evasion), and turns the verdict into the core's `Screening`. After the content is written,
`record` puts held, flagged and crisis content in the review queue and tells counsellors of
crisis language.

Each screener keeps its compiled pipeline keyed by the rules' version stamp: one small query
per screen tells whether a moderator changed the rules meanwhile. Compiled pipelines are shared
by every screener of the process whose rules are the same (`_compiled`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import Session

from forum import signals
from forum.db import UTCDateTime, utcnow
from forum.models.board import Post
from forum.models.safety import Sanction, SanctionKind
from forum.models.user import User
from forum.screening import Screening, Submission
from moderation.domain.pipeline import Pipeline, RuleSpec, ScreenContext, Verdict
from moderation.domain.verdict import joined
from moderation.helplines import CRISIS_HELPLINES as HELPLINES
from moderation.models import ModerationRule
from moderation.services import review, rules, targets

log = logging.getLogger(__name__)

#: How far back the author's own words count for flood detection.
RECENT_WINDOW = dt.timedelta(minutes=10)
RECENT_LIMIT = 30
BAN_EVASION = "ban_evasion"

try:
    from forum.models.room import RoomMessage
except ImportError:  # pragma: no cover - depends on the checkout
    RoomMessage = None  # type: ignore[assignment,misc]  # optional: a checkout without rooms


@dataclass
class _Compiled:
    stamp: str
    pipeline: Pipeline


@dataclass
class ScreenDetail:
    """What `screen` hands to `record` (opaque to the core)."""

    reasons: list[dict[str, Any]] = field(default_factory=list)
    action: str = "allow"
    is_evasion: bool = False


@functools.lru_cache(maxsize=8)
def _compiled(
    specs: tuple[RuleSpec, ...],
    include_lexicons: bool,
    threshold: float | tuple[tuple[str, float], ...] | None,
    regex_budget: float | None,
) -> Pipeline:
    """A compiled pipeline, shared by every screener of the process whose rules are the same
    (compiling takes 120-180 ms; a process serving several apps, as the tests do, or a screener
    whose rules' version moved back, compiles each rule set once). Pipelines are immutable."""
    return Pipeline.build(specs, include_lexicons=include_lexicons,
                          abuse_threshold=dict(threshold) if isinstance(threshold, tuple)
                          else threshold, regex_budget=regex_budget)


class ModerationScreener:
    """The screener `moderation.install` puts in place of the core's pass-through."""

    def __init__(self, *, include_lexicons: bool = True, regex_budget: float | None = None) -> None:
        """``regex_budget``: CPU seconds all regex rules may take on one text (None: the
        domain's default); a text the budget cannot finish with is held, not published."""
        self._include_lexicons = include_lexicons
        self._regex_budget = regex_budget
        self._compiled: _Compiled | None = None
        self._lock = threading.Lock()

    # --- the compiled pipeline -------------------------------------------------------------

    def pipeline(self, session: Session) -> Pipeline:
        """The pipeline for the rules now in the database, rebuilt when they changed."""
        stamp = rules.current_stamp(session)
        compiled = self._compiled
        if compiled is not None and compiled.stamp == stamp:
            return compiled.pipeline
        with self._lock:
            compiled = self._compiled
            if compiled is not None and compiled.stamp == stamp:
                return compiled.pipeline
            pipeline = self._build(session)
            self._compiled = _Compiled(stamp, pipeline)
            return pipeline

    def _build(self, session: Session) -> Pipeline:
        specs = [
            RuleSpec(id=f"rule:{rule.id}", pattern=rule.pattern, kind=rule.kind, action=rule.action,
                     category="custom")
            for rule in session.scalars(select(ModerationRule).order_by(ModerationRule.id))
        ]
        threshold: float | dict[str, float] | None = rules.abuse_threshold(session)
        if threshold is None and self._include_lexicons:
            threshold = rules.DEFAULT_ABUSE_THRESHOLDS
        frozen = tuple(sorted(threshold.items())) if isinstance(threshold, dict) else threshold
        try:
            return _compiled(tuple(specs), self._include_lexicons, frozen, self._regex_budget)
        except Exception:  # noqa: BLE001 - one bad rule must not stop all posting
            log.exception("a moderation rule does not compile; building without the bad ones")
        usable = []
        for spec in specs:
            try:
                Pipeline.build([spec], include_lexicons=False)
            except Exception:  # noqa: BLE001
                log.warning("skipping moderation rule %s", spec.id)
                continue
            usable.append(spec)
        return Pipeline.build(usable, include_lexicons=self._include_lexicons,
                              abuse_threshold=threshold, regex_budget=self._regex_budget)

    # --- the Screener protocol -------------------------------------------------------------

    def warm_up(self, session: Session) -> None:
        """Compile the rules now in the database, with the lexicons and the learned detector
        (`forum serve` does this before serving, then freezes the heap)."""
        self.pipeline(session).screen("salaam, warming up")

    def screen(self, session: Session, submission: Submission) -> Screening:
        """Decide what the text becomes: `published`, `pending` or `blocked`."""
        author = submission.author
        pipeline, context = self.pipeline(session), self._context(session, submission)
        if submission.heading is None:
            verdict = pipeline.screen(submission.text, context)
        else:  # a thread: the title and the body each, the strongest verdict of the two
            body = submission.text[len(submission.heading) + 1:]
            verdict = joined((part, pipeline.screen(part, context))
                             for part in (submission.heading, body))
        is_evasion = is_ban_evasion(session, author)
        return self.screening_of(verdict, is_evasion=is_evasion)

    def screening_of(self, verdict: Verdict, *, is_evasion: bool = False) -> Screening:
        """Map a verdict (and a ban-evasion finding) to the core's `Screening`.

        Crisis never silences: text that would be refused is held instead, and the author is
        always shown help lines.
        """
        codes = list(verdict.codes)
        reasons = [
            {
                "source": "filter",
                "code": r.code,
                "action": r.action,
                "category": r.category,
                "origin": r.source,
                "excerpt": r.excerpt,
            }
            for r in verdict.reasons
        ]
        action = verdict.action
        if action == "block" and verdict.crisis:
            action = "hold"
        if is_evasion:
            codes.append(BAN_EVASION)
            reasons.append({"source": "evasion", "code": BAN_EVASION, "action": "hold",
                            "category": "ban_evasion"})
        if action == "block":
            status = "blocked"
        elif action == "hold" or is_evasion:
            status = "pending"
        else:
            status = "published"
        return Screening(
            status=status,
            reasons=tuple(codes),
            resources=HELPLINES if verdict.crisis or verdict.offers_help else (),
            censored_text=verdict.censored_text,
            is_crisis=verdict.crisis,
            needs_review=verdict.crisis or action in {"flag", "hold"} or is_evasion,
            detail=ScreenDetail(reasons=reasons, action=action, is_evasion=is_evasion),
        )

    def record(
        self,
        session: Session,
        submission: Submission,
        screening: Screening,
        target_type: str,
        target_id: int,
    ) -> None:
        """Queue held, flagged and crisis content; tell counsellors of crisis language."""
        if not (screening.status == "pending" or screening.needs_review or screening.is_crisis):
            return
        target = targets.load_target(session, target_type, target_id)
        if target is None:
            return
        detail = screening.detail if isinstance(screening.detail, ScreenDetail) else ScreenDetail()
        reasons = [
            {**r, "kind": submission.kind, "at": _iso_now()} for r in detail.reasons
        ] or [{"source": "filter", "code": code, "at": _iso_now()} for code in screening.reasons]
        review.open_review(session, target, reasons, targets.snapshot(session, target, reveal=True))
        if screening.is_crisis:
            signals.crisis_detected.send(
                target_type, target_id=target_id, author_id=submission.author.id,
                place=submission.place,
            )

    # --- context ---------------------------------------------------------------------------

    def _context(self, session: Session, submission: Submission) -> ScreenContext:
        author = submission.author
        created = author.created_at
        age = (utcnow() - created).total_seconds() if created is not None else None
        texts: list[str] = []
        reply_targets: list[int] = []
        if submission.kind != "edit":  # an edit is not a repeat of the text it replaces
            # Board posts and room messages in one round trip (a statement built once).
            rows = session.execute(
                _RECENT, {"author_id": author.id, "since": utcnow() - RECENT_WINDOW}
            ).all()
            for body, target, _at in sorted(rows, key=lambda row: row[2], reverse=True):
                texts.append(body)
                if target is not None:
                    reply_targets.append(target)
        return ScreenContext(
            account_age_seconds=age,
            recent_texts=tuple(texts),
            recent_reply_targets=tuple(reply_targets),
            reply_target=submission.reply_target_user_id,
        )


def _recent_statement() -> Any:
    """The author's recent board posts and room messages, newest first per kind."""
    author_id = bindparam("author_id")
    since = bindparam("since", type_=UTCDateTime())
    recent = [
        select(Post.body.label("body"), Post.reply_to_author_id.label("target"),
               Post.created_at.label("at"))
        .where(Post.author_id == author_id, Post.created_at >= since)
        .order_by(Post.id.desc())
        .limit(RECENT_LIMIT)
        .subquery()
    ]
    if RoomMessage is not None:
        recent.append(
            select(RoomMessage.body.label("body"),
                   literal(None, Integer()).label("target"),
                   RoomMessage.created_at.label("at"))
            .where(RoomMessage.author_id == author_id, RoomMessage.created_at >= since)
            .order_by(RoomMessage.id.desc())
            .limit(RECENT_LIMIT)
            .subquery()
        )
    return union_all(*(select(sub.c.body, sub.c.target, sub.c.at) for sub in recent))


# Built once: every post and room message runs them, and a reused statement is never
# recompiled.
_RECENT = _recent_statement()
_EVASION = (
    select(Sanction.id)
    .where(
        Sanction.kind == SanctionKind.BAN.value,
        Sanction.network_fingerprint == bindparam("fingerprint"),
        Sanction.user_id != bindparam("user_id"),
        Sanction.lifted_at.is_(None),
        Sanction.starts_at <= bindparam("created_at", type_=UTCDateTime()),
        or_(Sanction.ends_at.is_(None), Sanction.ends_at > bindparam("now", type_=UTCDateTime())),
    )
    .limit(1)
)


def is_ban_evasion(session: Session, author: User) -> bool:
    """Was this account made, after a ban, from the network the banned account used?

    Only the keyed fingerprint of the /24 or /48 network is compared, never an address.
    Staff are exempt.
    """
    if author.network_fingerprint is None or author.is_staff:
        return False
    found = session.scalar(
        _EVASION,
        {"fingerprint": author.network_fingerprint, "user_id": author.id,
         "created_at": author.created_at, "now": utcnow()},
    )
    return found is not None


def _iso_now() -> str:
    return utcnow().isoformat().replace("+00:00", "Z")
