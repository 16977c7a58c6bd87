"""Throwaway databases of the suite's engine: a SQLite file, or a new PostgreSQL database.

Fixtures built on ``scratch_databases`` also ask for ``database_url``, so an
unreachable PostgreSQL skips them (or fails them under CASEBOOK_REQUIRE_POSTGRES)
exactly like the rest of the suite.
"""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from casebook.search.index import include_name


def on_postgres() -> bool:
    return bool(os.environ.get("CASEBOOK_TEST_DATABASE_URL"))


@contextmanager
def scratch_databases(folder: Path):
    """``with scratch_databases(tmp_path) as new: url = new("name")``: each call makes
    an empty database; PostgreSQL ones are dropped when the block ends."""
    server = os.environ.get("CASEBOOK_TEST_DATABASE_URL")
    if not server:
        yield lambda name: f"sqlite:///{folder / f'{name}.sqlite3'}"
        return
    server_url = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new(name: str) -> str:
        database = f"casebook_{name}_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        made.append(database)
        return server_url.set(database=database).render_as_string(hide_password=False)

    try:
        yield new
    finally:
        with admin.connect() as connection:
            for database in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def all_rows(engine) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, by table name (Alembic's bookkeeping included;
    not the search index, which the database derives from posts and cases)."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for name, table in metadata.tables.items() if include_name(name, "table", {})
        }
