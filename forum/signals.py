"""Signals the core sends, so plug-ins (moderation, realtime) can react without the core
importing them. Receivers of signals sent with a `session` (and `account_restricted`,
`crisis_detected`) run inside the sender's unit of work; anything that leaves the process (an
emit, a publish) must be deferred until after the commit. `tokens_revoked`, `role_changed`
and `notified` are sent after the commit, by the session itself (`announce_after_commit`)."""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from forum.models.user import AuthToken, User

_signals = Namespace()

#: sender: the user id; kwargs: kind ("mute", "suspend", "ban"), ends_at. Sent when a sanction
#: starts, so open sockets of the account can be cut off at once.
account_restricted = _signals.signal("account-restricted")

#: sender: the user id. Sent on logout-everywhere and erasure.
account_signed_out = _signals.signal("account-signed-out")

#: sender: the target type ("post", "room_message"); kwargs: target_id, author_id, place.
#: Sent when published content shows crisis language, so counsellors can be alerted.
crisis_detected = _signals.signal("crisis-detected")

#: sender: the appellant's user id; kwargs: appeal_id, sanction_id, status ("upheld",
#: "overturned"), session. Sent inside the decision's unit of work, so she can be notified.
appeal_decided = _signals.signal("appeal-decided")

#: sender: the kind of content ("room_message"); kwargs: session. Receivers return ids of
#: that content to keep past its retention (evidence under an open report), so the core's
#: retention never needs to know who holds them.
retention_holds = _signals.signal("retention-holds")

#: sender: the user id; kwargs: session. Receivers return `(section_name, json_data)` for the
#: member's export (`GET /me/export`), so plug-ins add what they store about her.
collect_export = _signals.signal("collect-export")

#: sender: the user id; kwargs: session, erase_posts. Sent inside the erasure's unit of work,
#: before the account row is deleted: receivers delete (not flag) what they hold of her.
erasing_account = _signals.signal("erasing-account")

#: sender: None; kwargs: session, reports: [(report_id, reporter_id, outcome)]. Sent inside the
#: unit of work that resolved reports (a review decision), so each reporter learns the outcome.
reports_resolved = _signals.signal("reports-resolved")

#: sender: the user id; kwargs: session, sanction_id. Sent inside the unit of work that issued
#: a sanction (any kind, a warning too), so she is told with the reason, end and how to appeal.
sanction_issued = _signals.signal("sanction-issued")

#: sender: None; kwargs: user_ids (a frozenset). Sent after the commit that created
#: notifications for these accounts, so their open sockets hear of it (`notification`).
notified = _signals.signal("notified")

#: sender: the user id; kwargs: token_ids (the deleted rows' ids). Sent after the commit that
#: deleted tokens or browser sessions of the account, whatever the path (logout,
#: `DELETE /me/sessions/{id}`, recovery, suspension, ban, erasure), so their open sockets are
#: cut at once. Detected at the session (below), so no revocation path can forget to send it.
tokens_revoked = _signals.signal("tokens-revoked")

#: sender: the user id; kwargs: old, new. Sent after the commit that changed an account's role,
#: so open sockets stop holding the powers of the old one (a demoted counsellor's socket).
role_changed = _signals.signal("role-changed")


# --- detected where no path can bypass them: every token deletion and role change goes
# through a session, so the session's own events collect them, and they are announced only
# once the change is committed (a rolled-back revocation cuts nothing).

_PENDING = "forum.signals.pending"


def _pending(session: Session) -> list[tuple[Any, int, dict[str, Any]]]:
    pending: list[tuple[Any, int, dict[str, Any]]] = session.info.setdefault(_PENDING, [])
    return pending


def announce_after_commit(session: Session, signal: Any, sender: Any, **kwargs: Any) -> None:
    """Send `signal` once the session's unit of work has committed (never on rollback)."""
    _pending(session).append((signal, sender, kwargs))


@event.listens_for(Session, "do_orm_execute")
def _deleting_tokens(state: Any) -> None:
    """A `DELETE` of token rows (any where clause): read which rows it takes first."""
    if not state.is_delete:
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) != AuthToken.__tablename__:
        return
    query = select(AuthToken.user_id, AuthToken.id)
    where = state.statement.whereclause
    if where is not None:
        query = query.where(where)
    by_user: dict[int, list[int]] = {}
    for user_id, token_id in state.session.execute(query):
        by_user.setdefault(user_id, []).append(token_id)
    for user_id, token_ids in by_user.items():
        _pending(state.session).append((tokens_revoked, user_id, {"token_ids": token_ids}))


@event.listens_for(Session, "after_flush")
def _flushed_accounts(session: Session, _context: Any) -> None:
    """Token rows deleted one by one (`session.delete`) and roles changed on a `User`."""
    for obj in session.deleted:
        if isinstance(obj, AuthToken):
            _pending(session).append((tokens_revoked, obj.user_id, {"token_ids": [obj.id]}))
    for obj in session.dirty:
        if isinstance(obj, User):
            history = inspect(obj).attrs.role.history
            if history.added and history.deleted and history.added[0] != history.deleted[0]:
                _pending(session).append(
                    (role_changed, obj.id, {"old": history.deleted[0], "new": history.added[0]})
                )


@event.listens_for(Session, "after_commit")
def _announce(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: nothing is committed until the outermost commit
    for signal, sender, kwargs in session.info.pop(_PENDING, ()):
        signal.send(sender, **kwargs)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint rolled back (an IntegrityError caught in it is ordinary): what the unit
        # of work announced before stays pending. Should the savepoint itself have deleted a
        # token, its revocation is sent anyway: cutting a socket too many is the safe side.
        return
    session.info.pop(_PENDING, None)
