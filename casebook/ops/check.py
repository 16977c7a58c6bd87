"""Integrity and foreign-key checks, reported in plain words."""

from collections.abc import Callable

from sqlalchemy import ForeignKeyConstraint, MetaData, exists, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from casebook import migrate
from casebook.search.index import FTS_TABLES

Say = Callable[[str], None]
# How many broken rows are named per broken reference; the count says the rest.
EXAMPLES = 5


def check(engine: Engine, say: Say) -> list[str]:
    """Every problem found, one sentence each; an empty list means the database is sound."""
    problems = _revision(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            say("SQLite: running PRAGMA integrity_check.")
            problems += _sqlite_integrity(connection)
            say("SQLite: running PRAGMA foreign_key_check.")
            problems += _sqlite_foreign_keys(connection)
            say("SQLite: checking the search index against posts and cases.")
            problems += _sqlite_search_index(connection)
        else:
            say(f"{engine.dialect.name}: looking for invalid indexes.")
            problems += _postgres_indexes(connection)
            problems += _orphans(connection, say)
    return problems


def _revision(engine: Engine) -> list[str]:
    """A restored old backup works only once migrated; say so before anyone starts the app."""
    current, head = migrate.current_revision(engine), migrate.head_revision(engine)
    if current == head:
        return []
    if current is None:
        return ["The database has no Casebook tables yet: run 'casebook db upgrade'."]
    return [f"The database is at migration {current}, this Casebook needs {head}: "
            f"run 'casebook db upgrade'."]


def _sqlite_integrity(connection: Connection) -> list[str]:
    rows = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    if rows == ["ok"]:
        return []
    return [f"The database file is damaged: {row}" for row in rows]


def _sqlite_foreign_keys(connection: Connection) -> list[str]:
    columns: dict[tuple[str, int], str] = {}
    broken: dict[tuple[str, int, str], list[object]] = {}
    for table, rowid, parent, fkid in connection.exec_driver_sql("PRAGMA foreign_key_check"):
        if (table, fkid) not in columns:
            for fk in connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")'):
                columns[(table, fk[0])] = fk[3]
        broken.setdefault((table, fkid, parent), []).append(rowid)
    problems = []
    for (table, fkid, parent), rowids in broken.items():
        column = columns.get((table, fkid), "?")
        problems.append(_orphan_sentence(table, column, parent, rowids, "row id"))
    return problems


def _sqlite_search_index(connection: Connection) -> list[str]:
    """FTS5 compares its index with the table it indexes; triggers keep them in
    step, but a file edited by hand or restored in parts could part them."""
    problems = []
    for table in FTS_TABLES:
        present = connection.execute(text(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": table}).first()
        if not present:
            continue  # an older database: the revision check says to upgrade
        try:
            # The table name comes from FTS_TABLES, never from input.
            connection.exec_driver_sql(
                f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")  # noqa: S608  # nosec B608
        except DBAPIError:
            problems.append(f"The search index {table} does not match its table; "
                            "FTS5's 'rebuild' command makes it again.")
    return problems


def _postgres_indexes(connection: Connection) -> list[str]:
    rows = connection.execute(text(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"))
    return [f"Index {name} is invalid and must be rebuilt (REINDEX INDEX {name})."
            for (name,) in rows]


def _orphans(connection: Connection, say: Say) -> list[str]:
    """Rows whose reference points at nothing: PostgreSQL enforces keys, but a restore
    with triggers off or a manual fix can still leave them behind."""
    metadata = MetaData()
    metadata.reflect(connection)
    tables = [t for name, t in sorted(metadata.tables.items()) if name != "alembic_version"]
    problems = []
    for number, table in enumerate(tables, start=1):
        say(f"Checking references from {table.name} ({number}/{len(tables)}).")
        for constraint in table.foreign_key_constraints:
            problem = _orphans_of(connection, constraint)
            if problem:
                problems.append(problem)
    return problems


def _orphans_of(connection: Connection, constraint: ForeignKeyConstraint) -> str | None:
    child, parent = constraint.table, constraint.referred_table
    # An alias, so a table that refers to itself (a reply to a post) is read twice.
    target = parent.alias("target")
    pairs = [(element.parent, target.c[element.column.name]) for element in constraint.elements]
    missing = (
        select(pairs[0][0])
        .where(*[own.is_not(None) for own, _ in pairs])
        .where(~exists().where(*[theirs == own for own, theirs in pairs]))
    )
    values = connection.execute(missing).scalars().all()
    if not values:
        return None
    columns = ", ".join(own.name for own, _ in pairs)
    return _orphan_sentence(child.name, columns, parent.name, values, columns)


def _orphan_sentence(table: str, column: str, parent: str, values: list, label: str) -> str:
    shown = ", ".join(str(v) for v in values[:EXAMPLES])
    more = f" and {len(values) - EXAMPLES} more" if len(values) > EXAMPLES else ""
    rows = "row points" if len(values) == 1 else "rows point"
    return (f"{len(values)} {rows} from {table}.{column} to a missing row in {parent} "
            f"({label} {shown}{more}).")
