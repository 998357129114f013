"""appeals: a member appeals a sanction, a different moderator decides

One appeal per sanction (unique `sanction_id`), filed within 20 days of the sanction; the
decision (`upheld` or `overturned`) records who decided and a note for the member.

Revision ID: 0010
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import forum.db

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("sanction_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", _ID, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sanction_id"], ["sanctions.id"], name=op.f("fk_appeals_sanction_id_sanctions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_appeals_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_appeals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("sanction_id", name=op.f("uq_appeals_sanction_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_appeals_status_created", "appeals", ["status", "created_at"])
    op.create_index(op.f("ix_appeals_user_id"), "appeals", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_appeals_user_id"), table_name="appeals")
    op.drop_index("ix_appeals_status_created", table_name="appeals")
    op.drop_table("appeals")
