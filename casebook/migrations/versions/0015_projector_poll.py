"""the poll counts a facilitator has put on a discussion's projector screen

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('discussions') as batch:
        batch.add_column(sa.Column('projector_poll', sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('discussions') as batch:
        batch.drop_column('projector_poll')
