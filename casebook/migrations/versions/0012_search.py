"""full-text search: the words of each post, indexed with the cases' words by
FTS5 on SQLite and by a GIN index on PostgreSQL

The FTS5 tables are kept in step with posts and cases by triggers. A later
migration that rebuilds ``posts`` or ``cases`` on SQLite (batch "move and copy")
drops those triggers with the old table and must create them again
(``_create_sqlite``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 18:50:00
"""

import sqlalchemy as sa
from alembic import op

from casebook.search.text import post_text

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

SEARCHED = ('posts', 'cases')


# "<table>" stands for the searched table (one of SEARCHED, never input).
SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE <table>_fts USING fts5(search_text, content='<table>', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER <table>_fts_insert AFTER INSERT ON <table> BEGIN "
    "INSERT INTO <table>_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER <table>_fts_delete AFTER DELETE ON <table> BEGIN "
    "INSERT INTO <table>_fts(<table>_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "END",
    "CREATE TRIGGER <table>_fts_update AFTER UPDATE OF search_text ON <table> BEGIN "
    "INSERT INTO <table>_fts(<table>_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO <table>_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    # Indexes the rows already there.
    "INSERT INTO <table>_fts(<table>_fts) VALUES ('rebuild')",
]


def _create_sqlite(name: str) -> None:
    for statement in SQLITE_INDEX:
        op.execute(statement.replace("<table>", name))


def upgrade() -> None:
    with op.batch_alter_table('posts') as batch:
        batch.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    connection = op.get_bind()
    posts = sa.table('posts', sa.column('id'), sa.column('body_html'), sa.column('search_text'))
    rows = connection.execute(sa.select(posts.c.id, posts.c.body_html)).all()
    if rows:
        connection.execute(
            posts.update().where(posts.c.id == sa.bindparam('post_id'))
            .values(search_text=sa.bindparam('text')),
            [{'post_id': post_id, 'text': post_text(body)} for post_id, body in rows])
    if connection.dialect.name == 'postgresql':
        for name in SEARCHED:
            op.execute(f"CREATE INDEX ix_{name}_search ON {name} "
                       "USING gin (to_tsvector('simple', search_text))")
    else:
        for name in SEARCHED:
            _create_sqlite(name)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name in SEARCHED:
            op.execute(f"DROP INDEX ix_{name}_search")
    else:
        for name in SEARCHED:
            for event in ('insert', 'delete', 'update'):
                op.execute(f"DROP TRIGGER {name}_fts_{event}")
            op.execute(f"DROP TABLE {name}_fts")
    with op.batch_alter_table('posts') as batch:
        batch.drop_column('search_text')
