"""shield mode: her shield, the items it holds, her helpers and their actions

Issue #17. `shields` (one row per member who ever turned it on: on while `until` is ahead, with
the recap of its last run), `shield_holds` (a held post waiting in her tray, and what became
of it), `shield_helpers` (up to three invited members) and `shield_activity` (each helper
action, listed to her). `reactions.is_held` keeps a held support out of the count and out of
her notifications; `ix_posts_reply_to_author` answers "who replied to her this hour" (the
shield offer) from an index.

Revision ID: 0012
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import forum.db

revision = "0012"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "shield_activity",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("owner_id", _ID, nullable=False),
        sa.Column("helper_id", _ID, nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("post_id", _ID, nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["helper_id"], ["users.id"],
                                name=op.f("fk_shield_activity_helper_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"],
                                name=op.f("fk_shield_activity_owner_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shield_activity")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("shield_activity", schema=None) as batch_op:
        batch_op.create_index("ix_shield_activity_owner", ["owner_id", "id"], unique=False)

    op.create_table(
        "shield_helpers",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("owner_id", _ID, nullable=False),
        sa.Column("helper_id", _ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["helper_id"], ["users.id"],
                                name=op.f("fk_shield_helpers_helper_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"],
                                name=op.f("fk_shield_helpers_owner_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shield_helpers")),
        sa.UniqueConstraint("owner_id", "helper_id", name=op.f("uq_shield_helpers_owner_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("shield_helpers", schema=None) as batch_op:
        batch_op.create_index("ix_shield_helpers_helper", ["helper_id"], unique=False)

    op.create_table(
        "shields",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("until", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hold", sa.String(length=40), nullable=False),
        sa.Column("started_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recap_held", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("recap_released", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("recap_rejected", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_shields_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_shields")),
    )
    op.create_table(
        "shield_holds",
        sa.Column("post_id", _ID, nullable=False),
        sa.Column("owner_id", _ID, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("is_moderated", sa.Boolean(), nullable=False),
        sa.Column("held_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", _ID, nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"],
                                name=op.f("fk_shield_holds_decided_by_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"],
                                name=op.f("fk_shield_holds_owner_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"],
                                name=op.f("fk_shield_holds_post_id_posts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_shield_holds")),
    )
    with op.batch_alter_table("shield_holds", schema=None) as batch_op:
        batch_op.create_index("ix_shield_holds_owner", ["owner_id", "state", "held_at"],
                              unique=False)

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_reply_to_author", ["reply_to_author_id", "created_at"],
                              unique=False)

    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_held", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.drop_column("is_held")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_reply_to_author")
    with op.batch_alter_table("shield_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_shield_holds_owner")
    op.drop_table("shield_holds")
    op.drop_table("shields")
    with op.batch_alter_table("shield_helpers", schema=None) as batch_op:
        batch_op.drop_index("ix_shield_helpers_helper")
    op.drop_table("shield_helpers")
    with op.batch_alter_table("shield_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_shield_activity_owner")
    op.drop_table("shield_activity")
