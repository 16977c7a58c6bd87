"""indexes for the queries of the measured pages

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 15:40:00
"""

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_discussions_group_created', 'discussions', ['group_id', 'created_at']),
    ('ix_threads_discussion_position', 'threads', ['discussion_id', 'position']),
    ('ix_posts_thread_author_status', 'posts', ['thread_id', 'author_id', 'status']),
    ('ix_posts_status_created', 'posts', ['status', 'created_at', 'id']),
    ('ix_posts_reply_to_id', 'posts', ['reply_to_id']),
    ('ix_memberships_group_status', 'memberships', ['group_id', 'status']),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
