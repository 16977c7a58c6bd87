"""live events (the SSE log) and posts on the projector screen

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 18:50:00
"""

import sqlalchemy as sa
from alembic import op

from casebook.db import UTCDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'live_events',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('detail', sa.String(length=40), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='CASCADE',
                                name=op.f('fk_live_events_group_id_groups')),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'], ondelete='CASCADE',
                                name=op.f('fk_live_events_discussion_id_discussions')),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], ondelete='CASCADE',
                                name=op.f('fk_live_events_thread_id_threads')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_events')),
    )
    op.create_index('ix_live_events_discussion_id', 'live_events', ['discussion_id', 'id'])
    op.create_index(op.f('ix_live_events_group_id'), 'live_events', ['group_id'])
    op.create_table(
        'projector_posts',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('shown_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE',
                                name=op.f('fk_projector_posts_post_id_posts')),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'], ondelete='CASCADE',
                                name=op.f('fk_projector_posts_discussion_id_discussions')),
        sa.PrimaryKeyConstraint('post_id', name=op.f('pk_projector_posts')),
    )
    op.create_index(op.f('ix_projector_posts_discussion_id'), 'projector_posts',
                    ['discussion_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_projector_posts_discussion_id'), table_name='projector_posts')
    op.drop_table('projector_posts')
    op.drop_index(op.f('ix_live_events_group_id'), table_name='live_events')
    op.drop_index('ix_live_events_discussion_id', table_name='live_events')
    op.drop_table('live_events')
