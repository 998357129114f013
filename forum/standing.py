"""A member's standing: which sanctions hold now, and what they forbid.

Every write path asks here, so a mute or suspension holds on posts, reactions, reports and
room messages alike. It is policy read from stored sanctions, beside `forum.policy` (which
never touches the database), and so one of the core modules `moderation` may use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.orm import Session

from forum.db import UTCDateTime, rows_affected, utcnow
from forum.errors import Banned, Muted, Suspended
from forum.models.safety import Sanction, SanctionKind
from forum.models.user import AuthToken, User
from forum.shapes import iso

# Built once: every write path asks, and a reused statement is never recompiled.
_ACTIVE = (
    select(Sanction)
    .where(
        Sanction.user_id == bindparam("user_id"),
        Sanction.lifted_at.is_(None),
        Sanction.starts_at <= bindparam("now", type_=UTCDateTime()),
        or_(Sanction.ends_at.is_(None), Sanction.ends_at > bindparam("now", type_=UTCDateTime())),
    )
    .order_by(Sanction.id)
)


def active_sanctions(
    session: Session, user_id: int, now: dt.datetime | None = None
) -> list[Sanction]:
    """Sanctions in force for `user_id`: started, not ended, not lifted."""
    return list(session.scalars(_ACTIVE, {"user_id": user_id, "now": now or utcnow()}))


#: How long after a sanction its member may appeal it (API.md, "Appeals").
APPEAL_WINDOW = dt.timedelta(days=20)


def appealable_until(sanction: Sanction) -> dt.datetime:
    """The last moment an appeal of `sanction` is accepted."""
    return sanction.created_at + APPEAL_WINDOW


def sanction_notice(sanction: Sanction) -> dict[str, object]:
    """What a sanctioned member is told of her sanction: never who reported her or issued it."""
    return {
        "id": sanction.id,
        "kind": sanction.kind,
        "reason": sanction.reason,
        "ends_at": iso(sanction.ends_at),
        "appealable_until": iso(appealable_until(sanction)),
    }


def _kinds(session: Session, user: User) -> set[str]:
    return {s.kind for s in active_sanctions(session, user.id)}


def assert_may_sign_in(session: Session, user: User) -> None:
    """Suspended and banned accounts cannot sign in until the sanction ends. The refusal
    carries the sanction (reason, end, until when it can be appealed) so she knows why and
    what she can do."""
    active = active_sanctions(session, user.id)
    for kind, error in ((SanctionKind.BAN, Banned), (SanctionKind.SUSPEND, Suspended)):
        holding = [s for s in active if s.kind == kind]
        if holding:
            # The one that ends last is the one she waits for (a permanent one ends never).
            last = max(holding, key=lambda s: (s.ends_at is None, s.ends_at or s.created_at))
            message = ("This account is banned." if kind == SanctionKind.BAN
                       else "This account is suspended for now.")
            raise error(message, sanction=sanction_notice(last))


def assert_may_act(session: Session, user: User) -> None:
    """Protecting herself (reporting, blocking, appealing, asking for private support) needs
    only an account that may sign in: a mute restricts writing, never these (API.md)."""
    assert_may_sign_in(session, user)


def assert_may_write(session: Session, user: User) -> None:
    """Posting, reacting and room messages need an account in good standing."""
    assert_kinds_allow_writing(_kinds(session, user))


def assert_kinds_allow_writing(kinds: Collection[str]) -> None:
    """`assert_may_write` for the kinds of sanction in force, when the caller has read them
    already (a room message reads them together with the token in one statement)."""
    if SanctionKind.BAN in kinds:
        raise Banned("This account is banned.")
    if SanctionKind.SUSPEND in kinds:
        raise Suspended("This account is suspended for now.")
    if SanctionKind.MUTE in kinds:
        raise Muted("You are muted for now: you can read but not post.")


def revoke_all_tokens(session: Session, user_id: int) -> int:
    """Delete every token and browser session of the user (suspension, ban, erasure)."""
    result = session.execute(delete(AuthToken).where(AuthToken.user_id == user_id))
    return rows_affected(result)
