"""stage-by-stage release of a discussion's prompts; group presets' discussion defaults

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 16:30:00
"""

import sqlalchemy as sa
from alembic import op

from casebook.db import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain constant defaults: with an expression default SQLite's batch mode
    # rebuilds the table, and dropping the old one cascades to every row that
    # references it.
    with op.batch_alter_table('discussions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release', sa.String(length=10), nullable=False,
                                      server_default='all'))
        batch_op.add_column(sa.Column('post_first_stage', sa.String(length=20), nullable=True))
    op.create_table(
        'discussion_stages',
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('opened_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('opens_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('discussion_id', 'stage'),
    )
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_identity', sa.String(length=20), nullable=False,
                                      server_default='named'))
        batch_op.add_column(sa.Column('default_release', sa.String(length=10), nullable=False,
                                      server_default='all'))
        batch_op.add_column(sa.Column('default_post_first', sa.Boolean(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('default_post_first_stage', sa.String(length=20),
                                      nullable=True))
        batch_op.add_column(sa.Column('default_police_prompts', sa.Boolean(), nullable=False,
                                      server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('groups', schema=None) as batch_op:
        for column in ('default_police_prompts', 'default_post_first_stage',
                       'default_post_first', 'default_release', 'default_identity'):
            batch_op.drop_column(column)
    op.drop_table('discussion_stages')
    with op.batch_alter_table('discussions', schema=None) as batch_op:
        batch_op.drop_column('post_first_stage')
        batch_op.drop_column('release')
