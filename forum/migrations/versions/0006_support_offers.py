"""support requests: offered by a counsellor after crisis language, and crisis in the topic

A counsellor or a room's host can offer private support to the writer of a room message that
shows crisis language (`offer_support`): the request is made on her behalf (`offered`), and the
private room it opens never shows her handle to the counsellor. Requests born from an offer, or
whose topic shows crisis language (`crisis`), come first in the counsellors' list.

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("crisis", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_column("crisis")
        batch_op.drop_column("offered")
