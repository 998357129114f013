"""Idempotency keys: the first answer to a `POST` that carried `Idempotency-Key`, kept 24
hours, so a client on a flaky link that sends it again gets that answer and nothing new is
created (API.md)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, timestamp


class IdempotentAnswer(Base):
    """The answer given to one account's `POST` with one key."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: `POST /api/v1/...` it answered: the same key on another path is a client's mistake (422).
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[timestamp]
