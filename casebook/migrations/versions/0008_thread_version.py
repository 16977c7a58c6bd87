"""a version per thread, raised by every change its page shows

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('threads') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('threads') as batch:
        batch.drop_column('version')
