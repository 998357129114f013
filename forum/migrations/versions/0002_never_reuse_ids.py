"""ids are never reused; second factors and fresh recovery codes kept server-side

Issue #12. On SQLite a table without AUTOINCREMENT hands the highest deleted id to the next
row, so an erased account's id went to the next registrant together with the reports and
review items aimed at it. SQLite cannot add AUTOINCREMENT to an existing table: each table whose
rows are deleted and whose ids other rows or texts refer to is rebuilt (batch mode, recreate
"always") with it. PostgreSQL's sequences never reuse a value, so nothing is rebuilt there.

Also adds `users.totp_pending_secret` (a second-factor secret being enrolled, the enrolled one
staying in force until it is confirmed) and `auth_tokens.pending_codes` (fresh recovery codes
waiting to be shown to one browser session, sealed): both used to travel in the cookie.

Handle keys are recomputed: `forum.identity.handles.handle_key` now drops nonspacing marks, so keys
stored by the old function would no longer match what login and registration compute. Two
existing accounts whose new keys collide (one imitated the other with combining marks) cannot
share a key: the older account gets the new key, the newer keeps its old one and still signs in
by her exact handle (`forum.services.accounts`); the migration logs their ids for moderators.

`forum.ops.commands.upgrade_database` turns SQLite's foreign-key enforcement off around the
migrations: dropping the old copy of a rebuilt table would otherwise fire ON DELETE CASCADE.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Tables whose ids must never be handed out twice (children first does not matter: foreign
#: keys are not enforced while SQLite tables are rebuilt).
NEVER_REUSED = (
    "users",
    "auth_tokens",
    "threads",
    "posts",
    "rooms",
    "room_messages",
    "support_requests",
    "sanctions",
    "reports",
    "review_items",
    "moderation_rules",
)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_pending_secret", sa.String(length=64), nullable=True))
    with op.batch_alter_table("auth_tokens") as batch:
        batch.add_column(sa.Column("pending_codes", sa.Text(), nullable=True))
    _recompute_handle_keys()
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL sequences never reuse a value
    for table in NEVER_REUSED:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def _recompute_handle_keys() -> None:
    from forum.identity.handles import handle_key

    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("handle", sa.String),
                     sa.column("handle_key", sa.String))
    rows = bind.execute(sa.select(users.c.id, users.c.handle, users.c.handle_key)
                        .order_by(users.c.id)).all()
    taken = {key for _id, _handle, key in rows}
    kept_old: list[int] = []
    for user_id, handle, old_key in rows:
        new_key = handle_key(handle)
        if new_key == old_key:
            continue
        if new_key in taken:
            kept_old.append(user_id)
            continue
        bind.execute(users.update().where(users.c.id == user_id).values(handle_key=new_key))
        taken.discard(old_key)
        taken.add(new_key)
    if kept_old:
        logging.getLogger("alembic").warning(
            "handles that imitate another with combining marks kept their old key: user ids %s",
            kept_old)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in NEVER_REUSED:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": False}
            ):
                pass
    with op.batch_alter_table("auth_tokens") as batch:
        batch.drop_column("pending_codes")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_pending_secret")
