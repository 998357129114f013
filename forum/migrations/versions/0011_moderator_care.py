"""moderator care: per-moderator review settings and exposure counts

`moderator_care` keeps the categories a moderator chose not to review and her soft hourly cap
of severe items; `moderator_exposure` counts the items she decided on and the masked words she
asked to see (numbers for pacing and for admins, never what was seen).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import forum.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "moderator_care",
        sa.Column("user_id", _ID, autoincrement=False, nullable=False),
        sa.Column("opt_out", sa.JSON(), nullable=False),
        sa.Column("hourly_cap", sa.Integer(), nullable=False),
        sa.Column("updated_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_moderator_care_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_moderator_care")),
    )
    op.create_table(
        "moderator_exposure",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("severe", sa.Boolean(), nullable=False),
        sa.Column("review_item_id", _ID, nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_moderator_exposure_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_item_id"], ["review_items.id"],
            name=op.f("fk_moderator_exposure_review_item_id_review_items"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_exposure")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_moderator_exposure_user_created", "moderator_exposure",
                    ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_moderator_exposure_user_created", table_name="moderator_exposure")
    op.drop_table("moderator_exposure")
    op.drop_table("moderator_care")
