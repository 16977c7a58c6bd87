"""Consistent online backups and restores, on SQLite and PostgreSQL.

Both work while the server runs: SQLite copies pages from one read
transaction (a fixed WAL snapshot, so writers are never blocked and the copy
never restarts), PostgreSQL's ``pg_dump`` reads from one snapshot too.
"""

import os
import re
import shutil
import sqlite3

# pg_dump and pg_restore run with argument lists, never through a shell.
import subprocess  # nosec B404
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import MetaData, func, select
from sqlalchemy.engine import Engine, make_url

from casebook.search.index import include_name

# Called with (done, total) as the copy advances; the CLI prints it.
Progress = Callable[[int, int], None]
Say = Callable[[str], None]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
PAGES_PER_STEP = 256


class BackupError(Exception):
    """Something the operator must fix; the message says what, in plain words."""


def engine_kind(engine: Engine) -> str:
    return engine.dialect.name


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("This SQLite database lives in memory; there is no file to back up.")
    return Path(database)


def libpq_url(engine: Engine) -> str:
    """The URL as pg_dump and pg_restore understand it: no SQLAlchemy driver name, and no
    password (see ``_run``)."""
    return make_url(engine.url).set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools "
                          f"(Debian: apt-get install postgresql-client).")
    return path


def backup(engine: Engine, destination: Path, say: Say, progress: Progress) -> None:
    """Write a consistent copy of the database to ``destination`` (which must not exist)."""
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new file name.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    if engine_kind(engine) == "sqlite":
        _backup_sqlite(sqlite_path(engine), destination, say, progress)
    elif engine_kind(engine) == "postgresql":
        _backup_postgres(engine, destination, say)
    else:
        raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")


def _backup_sqlite(source_path: Path, destination: Path, say: Say, progress: Progress) -> None:
    if not source_path.is_file():
        # sqlite3 would quietly create an empty database there and back that up.
        raise BackupError(f"There is no database at {source_path}.")
    say(f"SQLite: copying {source_path} with the online backup API.")
    source = sqlite3.connect(source_path, timeout=15, isolation_level=None)
    target = sqlite3.connect(destination)
    try:
        # One read transaction for the whole copy: every step reads the same
        # snapshot, so the result is consistent however much is written meanwhile.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        source.backup(target, pages=PAGES_PER_STEP,
                      progress=lambda _status, remaining, total: progress(
                          total - remaining, total))
        source.execute("COMMIT")
    except sqlite3.Error as exc:
        target.close()
        destination.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {exc}") from exc
    finally:
        source.close()
    target.close()


def _backup_postgres(engine: Engine, destination: Path, say: Say) -> None:
    say("PostgreSQL: running pg_dump (custom format, one consistent snapshot).")
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
               "--file", str(destination), "--dbname", libpq_url(engine)]
    _run(command, "pg_dump", engine, say)


# What --verbose says as it reaches each table; shown to the operator as progress.
_TABLE_LINE = re.compile(r"(?:dumping contents of|processing data for) table \"?([\w.\"]+)")


def _run(command: list[str], name: str, engine: Engine, say: Say) -> None:
    # The password goes in the environment, not the command line other users can list.
    env = {**os.environ}
    if engine.url.password:
        env["PGPASSWORD"] = str(engine.url.password)
    # The tool's path comes from shutil.which and the rest are our own arguments; no shell.
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        [*command, "--verbose"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, env=env)
    tail: list[str] = []
    for line in process.stderr:
        tail = [*tail[-9:], line.strip()]
        table = _TABLE_LINE.search(line)
        if table:
            say(f"{name}: table {table.group(1).replace(chr(34), '')}")
    if process.wait() != 0:
        errors = [line for line in tail if "error" in line.lower()] or tail
        raise BackupError(f"{name} failed: {errors[-1] if errors else process.returncode}")
    say(f"{name} finished.")


def rows_in(engine: Engine) -> dict[str, int]:
    """Row count of every table in the database, by name (empty when it has no tables);
    the search index is left out: a new database's FTS5 tables hold their settings."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
            if name != "alembic_version" and include_name(name, "table", {})
        }


def restore(engine: Engine, source: Path, say: Say, progress: Progress, *,
            force: bool = False) -> None:
    """Replace the database's contents by the backup at ``source``.

    Refuses a database that holds any row unless ``force``: a restore over
    live data destroys it.
    """
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    with source.open("rb") as handle:
        magic = handle.read(len(SQLITE_MAGIC))
    kind = engine_kind(engine)
    if kind == "sqlite" and not magic.startswith(SQLITE_MAGIC):
        raise BackupError(f"{source} is not a SQLite backup; this database is SQLite.")
    if kind == "postgresql" and not magic.startswith(PG_CUSTOM_MAGIC):
        raise BackupError(f"{source} is not a pg_dump (custom format) backup; "
                          f"this database is PostgreSQL.")
    if kind not in {"sqlite", "postgresql"}:
        raise BackupError(f"Restores into {engine.dialect.name} databases are not supported.")

    filled = {name: count for name, count in rows_in(engine).items() if count}
    if filled and not force:
        total = sum(filled.values())
        raise BackupError(
            f"The database is not empty ({total} rows in {len(filled)} tables, e.g. "
            f"{', '.join(sorted(filled)[:3])}). Restoring would replace them; "
            f"run again with --force if that is what you want.")
    engine.dispose()
    if kind == "sqlite":
        _restore_sqlite(source, sqlite_path(engine), say, progress)
    else:
        _restore_postgres(engine, source, say)


def _restore_sqlite(source: Path, target_path: Path, say: Say, progress: Progress) -> None:
    say(f"SQLite: restoring {source} into {target_path} with the online backup API.")
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=15)
    try:
        backup_file.backup(target, pages=PAGES_PER_STEP,
                           progress=lambda _status, remaining, total: progress(
                               total - remaining, total))
    except sqlite3.Error as exc:
        raise BackupError(f"The restore failed: {exc}") from exc
    finally:
        backup_file.close()
        target.close()


def _restore_postgres(engine: Engine, source: Path, say: Say) -> None:
    say("PostgreSQL: running pg_restore (replacing the tables the backup holds).")
    command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
               "--single-transaction", "--exit-on-error", "--dbname", libpq_url(engine),
               str(source)]
    _run(command, "pg_restore", engine, say)
