"""reports keep the keyed fingerprint of the reporter's network

Auto-hide by reports counts distinct networks, not accounts (issue #12, hole 16): a report
records the keyed HMAC of the /24 or /48 network it came from, never the address.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("network_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("network_fingerprint")
