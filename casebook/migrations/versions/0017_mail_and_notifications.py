"""outgoing mail kept in an outbox until delivered; verified email addresses;
in-app notifications; how each member is emailed about them and each group's default

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 18:45:00
"""

import sqlalchemy as sa
from alembic import op

from casebook.db import UTCDateTime

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email_verified_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('email_notifications', sa.String(length=12), nullable=True))
    with op.batch_alter_table('groups') as batch:
        batch.add_column(sa.Column('email_default', sa.String(length=12), nullable=False,
                                   server_default='daily'))
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    )
    op.create_index('ix_outbox_status', 'outbox', ['status'], unique=False)
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('discussion_id', sa.Integer(), nullable=True),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=True),
        sa.Column('emailed_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_notifications_user_id_users')),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='CASCADE',
                                name=op.f('fk_notifications_group_id_groups')),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'], ondelete='CASCADE',
                                name=op.f('fk_notifications_discussion_id_discussions')),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], ondelete='CASCADE',
                                name=op.f('fk_notifications_thread_id_threads')),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE',
                                name=op.f('fk_notifications_post_id_posts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    op.create_index('ix_notifications_user_read', 'notifications', ['user_id', 'read_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_notifications_user_read', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index('ix_outbox_status', table_name='outbox')
    op.drop_table('outbox')
    with op.batch_alter_table('groups') as batch:
        batch.drop_column('email_default')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('email_notifications')
        batch.drop_column('email_verified_at')
