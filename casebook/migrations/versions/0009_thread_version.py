"""a version per thread, raised by every change its page shows; post
indexes that carry the number, for counts bounded by threads

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


# (old name, new name, new columns): each new index extends the old one.
INDEXES = [
    ('ix_posts_thread_status', 'ix_posts_thread_status_number',
     ['thread_id', 'status', 'number']),
    ('ix_posts_thread_author_status', 'ix_posts_thread_author_status_number',
     ['thread_id', 'author_id', 'status', 'number']),
]


def upgrade() -> None:
    with op.batch_alter_table('threads') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))
    for old, new, columns in INDEXES:
        op.create_index(new, 'posts', columns, unique=False)
        op.drop_index(old, table_name='posts')


def downgrade() -> None:
    for old, new, columns in reversed(INDEXES):
        op.create_index(old, 'posts', columns[:-1], unique=False)
        op.drop_index(new, table_name='posts')
    with op.batch_alter_table('threads') as batch:
        batch.drop_column('version')
