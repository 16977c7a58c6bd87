"""post tags (lenses, stakeholders, the role a post speaks as) and
stakeholder roles assigned to participants

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 18:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'post_tags',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('post_id', 'kind', 'key'),
    )
    op.create_index('ix_post_tags_kind_key', 'post_tags', ['kind', 'key'], unique=False)
    op.create_table(
        'stakeholder_roles',
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('membership_id', sa.Integer(), nullable=False),
        sa.Column('stakeholder', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('discussion_id', 'membership_id'),
    )
    op.create_index('ix_stakeholder_roles_membership_id', 'stakeholder_roles',
                    ['membership_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_stakeholder_roles_membership_id', table_name='stakeholder_roles')
    op.drop_table('stakeholder_roles')
    op.drop_index('ix_post_tags_kind_key', table_name='post_tags')
    op.drop_table('post_tags')
