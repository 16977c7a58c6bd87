"""word counts on posts; content notes acknowledged per discussion

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 21:45:00
"""

import sqlalchemy as sa
from alembic import op

import casebook.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('word_count', sa.Integer(), server_default='0',
                                      nullable=False))
    # Counted in Python, as the app counts at write time, so old and new
    # posts agree.
    connection = op.get_bind()
    posts = sa.table('posts', sa.column('id', sa.Integer), sa.column('body_md', sa.Text),
                     sa.column('word_count', sa.Integer))
    rows = connection.execute(sa.select(posts.c.id, posts.c.body_md)).all()
    for post_id, body in rows:
        connection.execute(posts.update().where(posts.c.id == post_id)
                           .values(word_count=len((body or '').split())))

    op.create_table(
        'content_note_acks',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('acknowledged_at', casebook.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'],
                                name=op.f('fk_content_note_acks_discussion_id_discussions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_content_note_acks_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'discussion_id', name=op.f('pk_content_note_acks')),
    )
    op.create_index(op.f('ix_content_note_acks_discussion_id'), 'content_note_acks',
                    ['discussion_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_content_note_acks_discussion_id'), table_name='content_note_acks')
    op.drop_table('content_note_acks')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('word_count')
