"""room mutes in the database; idempotency keys

Room mutes lived only in Redis, so a Redis restart lifted them (issue #15): they are rows now,
like kicks (`room_bans`). A `POST` carrying `Idempotency-Key` keeps its first answer for 24
hours, so a retried request creates nothing new.

Revision ID: 0008
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import forum.db

revision = "0008"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "room_mutes",
        sa.Column("room_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("issued_by_id", _ID, nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"],
                                name=op.f("fk_room_mutes_issued_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"],
                                name=op.f("fk_room_mutes_room_id_rooms"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_room_mutes_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("room_id", "user_id", name=op.f("pk_room_mutes")),
    )
    with op.batch_alter_table("room_mutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_room_mutes_user_id"), ["user_id"], unique=False)
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_idempotency_keys_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_keys")),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("room_mutes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_room_mutes_user_id"))
    op.drop_table("room_mutes")
