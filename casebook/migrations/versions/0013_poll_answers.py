"""before/after position polls: one row per participant, phase and position

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 18:45:00
"""

import sqlalchemy as sa
from alembic import op

from casebook.db import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'poll_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('position_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('phase', sa.String(length=10), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'],
                                name=op.f('fk_poll_answers_discussion_id_discussions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['position_id'], ['positions.id'],
                                name=op.f('fk_poll_answers_position_id_positions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_poll_answers_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_answers')),
        sa.UniqueConstraint('discussion_id', 'user_id', 'phase', 'position_id',
                            name=op.f('uq_poll_answers_discussion_id_user_id_phase_position_id')),
    )
    op.create_index('ix_poll_answers_discussion_phase', 'poll_answers',
                    ['discussion_id', 'phase'], unique=False)
    op.create_index('ix_poll_answers_user_id', 'poll_answers', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_poll_answers_user_id', table_name='poll_answers')
    op.drop_index('ix_poll_answers_discussion_phase', table_name='poll_answers')
    op.drop_table('poll_answers')
