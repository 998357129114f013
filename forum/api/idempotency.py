"""`Idempotency-Key` (API.md): a `POST` of an account carrying the header answers, for 24
hours, the first answer to that key again and creates nothing new, so a client on a flaky link
can retry safely.

- The key is 1–64 printable characters; anything else is 422 `validation_failed`.
- Only signed-in `POST`s take part (registration, login and recovery have no account yet);
  the key is the account's own: another account's same key is another key.
- Only a success is remembered (2xx): a refusal (422, 429, 503 `unavailable` ...) wrote
  nothing, so trying again really tries again.
- The answer is stored in the same transaction as what the request created, so there is no
  moment where one exists without the other; two retries racing with one key meet at the
  primary key, the loser's work is rolled back and it answers the winner's answer.
- The same key on another path is 422 (a client's mistake, not a retry).
- A replayed answer carries `Idempotent-Replayed: true`.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, request
from sqlalchemy import delete
from sqlalchemy.orm import Session

from forum.db import rows_affected, utcnow
from forum.errors import Invalid
from forum.models.idempotency import IdempotentAnswer

HEADER = "Idempotency-Key"
LIFETIME = dt.timedelta(hours=24)
KEY_MAX = 64


def requested_key() -> str | None:
    """The request's key, checked; None without the header."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= KEY_MAX or not key.isprintable() or not key.isascii():
        raise Invalid({HEADER: [f"1 to {KEY_MAX} printable ASCII characters."]})
    return key


def replay(session: Session, user_id: int, key: str) -> Response | None:
    """The first answer to this key, if it was given within 24 hours."""
    found = session.get(IdempotentAnswer, (user_id, key))
    if found is None:
        return None
    if found.created_at < utcnow() - LIFETIME:
        session.execute(delete(IdempotentAnswer).where(IdempotentAnswer.user_id == user_id,
                                                       IdempotentAnswer.key == key))
        session.flush()
        return None
    if found.path != request.path:
        raise Invalid({HEADER: ["This key was used for another request; use a new key."]})
    response = Response(found.body or None, status=found.status,
                        mimetype="application/json" if found.body else None)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember(session: Session, user_id: int, key: str, response: Response) -> None:
    """Keep a successful answer with the work that produced it (same transaction)."""
    if not 200 <= response.status_code < 300:
        return
    session.add(IdempotentAnswer(user_id=user_id, key=key, path=request.path[:300],
                                 status=response.status_code,
                                 body=response.get_data(as_text=True)))
    session.flush()


def purge_expired(session: Session) -> int:
    """Forget answers older than 24 hours (the hourly housekeeping of `forum serve`)."""
    result = session.execute(delete(IdempotentAnswer).where(
        IdempotentAnswer.created_at < utcnow() - LIFETIME))
    return rows_affected(result)

