"""the debrief of a closed discussion, and the posts marked as its key contributions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 19:00:00
"""

import sqlalchemy as sa
from alembic import op

from casebook.db import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'debriefs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('summary_md', sa.Text(), nullable=False),
        sa.Column('summary_html', sa.Text(), nullable=False),
        sa.Column('shared', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('discussion_id'),
    )
    op.create_table(
        'key_contributions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('marked_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('discussion_id', 'post_id'),
    )
    op.create_index('ix_key_contributions_discussion_id', 'key_contributions',
                    ['discussion_id'], unique=False)
    op.create_index('ix_key_contributions_post_id', 'key_contributions', ['post_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_key_contributions_post_id', table_name='key_contributions')
    op.drop_index('ix_key_contributions_discussion_id', table_name='key_contributions')
    op.drop_table('key_contributions')
    op.drop_table('debriefs')
