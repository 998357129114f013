"""notifications: what she should learn about, thread follows, muted boards, quiet hours

Issue #16. One row per notification (supports on one post merge into one row whose `count`
grows). Notification ids are random, never a sequence, and the table has no foreign keys on
purpose (see `forum.models.notification`): a reply with 1,000 followers inserts 1,000 rows in
one statement, and a trigger per row per key cost more than the insert. `thread_follows`
keeps explicit unfollows too, so replying again does not follow a thread behind her back;
`notification_settings` holds quiet hours in her time zone.

Revision ID: 0007
Revises: 0008 (given "0006"; re-chained after appeals (0010) and moderator care (0011),
which reached main first, so the history stays one line)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import forum.db

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notifications',
    # Random ids (forum.services.notifications.new_id), never a sequence.
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('recipient_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('count', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('is_anonymous', sa.Boolean(), nullable=False),
    sa.Column('thread_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('post_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('room_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('request_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('report_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('sanction_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('appeal_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('invite_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_post', ['post_id'], unique=False)
        batch_op.create_index('ix_notifications_read_at', ['read_at'], unique=False, postgresql_where=sa.text('read_at IS NOT NULL'), sqlite_where=sa.text('read_at IS NOT NULL'))
        batch_op.create_index('ix_notifications_recipient', ['recipient_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_notifications_unread', ['recipient_id'], unique=False, postgresql_where=sa.text('read_at IS NULL'), sqlite_where=sa.text('read_at IS NULL'))

    op.create_table('board_mutes',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('board_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_mutes_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_board_mutes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'board_id', name=op.f('pk_board_mutes'))
    )
    op.create_table('notification_settings',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quiet_start', sa.String(length=5), nullable=True),
    sa.Column('quiet_end', sa.String(length=5), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    op.create_table('thread_follows',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('thread_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('is_following', sa.Boolean(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_follows_thread_id_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_thread_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_thread_follows'))
    )
    with op.batch_alter_table('thread_follows', schema=None) as batch_op:
        batch_op.create_index('ix_thread_follows_thread', ['thread_id', 'is_following'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('thread_follows', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_follows_thread')

    op.drop_table('thread_follows')
    op.drop_table('notification_settings')
    op.drop_table('board_mutes')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_unread', postgresql_where=sa.text('read_at IS NULL'), sqlite_where=sa.text('read_at IS NULL'))
        batch_op.drop_index('ix_notifications_recipient')
        batch_op.drop_index('ix_notifications_read_at', postgresql_where=sa.text('read_at IS NOT NULL'), sqlite_where=sa.text('read_at IS NOT NULL'))
        batch_op.drop_index('ix_notifications_post')

    op.drop_table('notifications')
