"""`GET /me/evidence`: the caller's reports with the snapshots taken when she reported,
hash-chained (`forum.evidence`), for a complaint to the police or a cyber-crime unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import db
from forum.api.core import endpoint
from forum.evidence import build_chain
from forum.models.user import User
from forum.policy import Actor
from moderation import schemas as s
from moderation.api import bp
from moderation.models import Report
from moderation.services.reports import reported


def evidence_for(session: Session, user: User) -> dict[str, Any]:
    """Her reports, oldest first, chained. Status changes do not alter past hashes: only what
    was true when she reported is hashed."""
    reports = session.scalars(
        select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
    )
    document = build_chain((reported(r), r.snapshot or {}) for r in reports)
    document["format"] = "saheli-evidence/1"
    document["generated_for"] = user.handle
    return document


@endpoint("/me/evidence", "GET", summary="The caller's reports with snapshots, hash-chained",
          tag="privacy", response=s.EvidenceOut, errors=(401,), blueprint=bp)
def my_evidence(actor: Actor) -> dict[str, Any]:
    return evidence_for(db.session(), actor.require_user())
