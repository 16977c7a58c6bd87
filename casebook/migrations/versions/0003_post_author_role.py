"""post author role

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:00:55.757865
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_role', sa.String(length=20), nullable=True))
    # Posts written before this revision take their author's current role.
    op.execute(
        "UPDATE posts SET author_role = (SELECT m.role FROM memberships m"
        " JOIN threads t ON t.id = posts.thread_id"
        " JOIN discussions d ON d.id = t.discussion_id"
        " WHERE m.group_id = d.group_id AND m.user_id = posts.author_id)"
    )

def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('author_role')

