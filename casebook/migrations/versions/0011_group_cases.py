"""cases written by a group for itself: a nullable owning group, slugs unique per owner

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

LIBRARY = sa.text('group_id IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cases_group_id_groups'), 'groups',
                                    ['group_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('uq_cases_slug'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_cases_group_id_slug'), ['group_id', 'slug'])
    op.create_index('uq_cases_library_slug', 'cases', ['slug'], unique=True,
                    sqlite_where=LIBRARY, postgresql_where=LIBRARY)


def downgrade() -> None:
    # The old schema has no owner to keep a group's case private, so going back
    # would publish it in the library: refused until the groups delete them.
    if op.get_bind().execute(sa.text('SELECT 1 FROM cases WHERE group_id IS NOT NULL')).first():
        raise RuntimeError('groups have written cases of their own; delete them before '
                           'downgrading below revision 0011')
    op.drop_index('uq_cases_library_slug', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_cases_group_id_slug'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_cases_slug'), ['slug'])
        batch_op.drop_constraint(batch_op.f('fk_cases_group_id_groups'), type_='foreignkey')
        batch_op.drop_column('group_id')
