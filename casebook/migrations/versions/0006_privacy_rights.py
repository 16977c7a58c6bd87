"""privacy rights: archived groups, and what happens to a deleted member's posts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 15:30:00
"""

import sqlalchemy as sa
from alembic import op

import casebook.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('groups', schema=None) as batch_op:
        # Existing groups keep a leaving member's words, as they did before.
        batch_op.add_column(sa.Column('deleted_member_posts', sa.String(length=10),
                                      server_default='keep', nullable=False))
        batch_op.add_column(sa.Column('archived_at', casebook.db.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
        batch_op.drop_column('deleted_member_posts')
