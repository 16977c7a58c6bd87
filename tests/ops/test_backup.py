"""``casebook backup`` while posts are written, ``restore`` into a fresh database, and
its refusal to overwrite data."""

import shutil
import threading
import time

import pytest
from sqlalchemy import func, insert, select

from casebook import cli as cli_module
from casebook import migrate
from casebook.cases.loader import load_directory
from casebook.cases.service import import_cases
from casebook.db import make_engine, utcnow
from casebook.discussion.models import Post, PostRevision
from tests.conftest import CASES_DIR, db, make_test_app
from tests.factories import post, seminar
from tests.scratch import all_rows, on_postgres, scratch_databases

pytestmark = pytest.mark.skipif(
    on_postgres() and not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump/pg_restore are not installed (apt-get install postgresql-client)",
)

# Enough rows for the SQLite copy to take many steps of PAGES_PER_STEP pages.
FILLER_POSTS = 1500


@pytest.fixture
def databases(tmp_path, tmp_instance, database_url):
    with scratch_databases(tmp_path) as new:
        yield new


def seeded_app(url):
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = make_test_app(url)
    with db(app) as session:
        import_cases(session, load_directory(CASES_DIR))
        world = seminar(session)
        post(session, world.thread, world.ann, "First answer, *with* Markdown.")
        thread_id, author_id = world.thread.id, world.ann.id
    engine = app.extensions["casebook.engine"]
    with engine.begin() as connection:
        connection.execute(insert(Post), [
            {"thread_id": thread_id, "author_id": author_id, "number": 1000 + n,
             "body_md": f"filler {n} " + "words " * 150, "body_html": "<p>filler</p>"}
            for n in range(FILLER_POSTS)
        ])
    return app, thread_id, author_id


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


class Writer(threading.Thread):
    """Keeps adding a post and its revision in one transaction, as fast as it can."""

    def __init__(self, url, thread_id, author_id):
        super().__init__(daemon=True)
        self.engine = make_engine(url)
        self.thread_id, self.author_id = thread_id, author_id
        self.committed: list[int] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            while not self.stop.is_set():
                with self.engine.begin() as connection:
                    post_id = connection.execute(insert(Post).returning(Post.id), {
                        "thread_id": self.thread_id, "author_id": self.author_id,
                        "body_md": "written during the backup", "body_html": "<p>x</p>",
                    }).scalar_one()
                    connection.execute(insert(PostRevision), {
                        "post_id": post_id, "body_md": "before the edit",
                        "created_at": utcnow()})
                self.committed.append(post_id)
        except BaseException as exc:  # reported by the test, which would otherwise hang
            self.error = exc
        finally:
            self.engine.dispose()


def wait_for_more(writer: Writer, than: int) -> None:
    deadline = time.monotonic() + 10
    while len(writer.committed) <= than and time.monotonic() < deadline:
        time.sleep(0.005)


def test_backup_while_writing_restores_a_consistent_copy(databases, tmp_path, monkeypatch):
    source_url = databases("source")
    app, thread_id, author_id = seeded_app(source_url)
    writer = Writer(source_url, thread_id, author_id)
    writer.start()
    wait_for_more(writer, 5)
    before = len(writer.committed)
    # Small steps, and after the first one the writer commits again: the SQLite
    # copy is sure to straddle writes however fast this machine copies.
    monkeypatch.setattr("casebook.ops.backup.PAGES_PER_STEP", 16)
    shown = cli_module._Progress.__call__

    def progress_then_write(self, done, total):
        shown(self, done, total)
        if done < total:
            wait_for_more(writer, len(writer.committed))

    monkeypatch.setattr(cli_module._Progress, "__call__", progress_then_write)

    result = cli(app, "backup", str(tmp_path / "casebook.backup"))
    during = len(writer.committed) - before
    monkeypatch.undo()
    time.sleep(0.2)
    writer.stop.set()
    writer.join(timeout=30)

    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output
    if on_postgres():
        assert "running pg_dump" in result.output
        assert "pg_dump: table public.posts" in result.output
    else:
        assert "online backup API" in result.output
        assert "Copied: 50%" in result.output and "Copied: 100%" in result.output
    assert during > 0, "the writer made no post while the backup ran"

    target_url = databases("target")
    target = make_test_app(target_url)
    restored = cli(target, "restore", str(tmp_path / "casebook.backup"))
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output
    if on_postgres():
        assert "pg_restore: table public.posts" in restored.output
    else:
        assert "Restored: 100%" in restored.output

    live = all_rows(app.extensions["casebook.engine"])
    copy = all_rows(make_engine(target_url))
    # The copy is the source at one instant: the writer's posts up to some point,
    # each with its revision (never half a transaction), and nothing after it.
    kept = sorted(row[0] for row in copy["posts"] if row[0] in set(writer.committed))
    assert kept == writer.committed[:len(kept)]
    assert len(kept) >= before
    assert len(kept) < len(writer.committed)
    cutoff = kept[-1]
    revision_post = list(PostRevision.__table__.columns.keys()).index("post_id")
    assert copy.keys() == live.keys()
    for table, rows in live.items():
        if table == "posts":
            rows = [row for row in rows if row[0] <= cutoff]
        elif table == "post_revisions":
            rows = [row for row in rows if row[revision_post] <= cutoff]
        assert copy[table] == rows, f"{table} differs"


def test_restore_refuses_a_database_with_data_unless_forced(databases, tmp_path):
    app, _, _ = seeded_app(databases("source"))
    assert cli(app, "backup", str(tmp_path / "one.backup")).exit_code == 0
    backed_up = all_rows(app.extensions["casebook.engine"])

    other, thread_id, author_id = seeded_app(databases("other"))
    with db(other) as session:
        session.add(Post(thread_id=thread_id, author_id=author_id, body_md="only here",
                         body_html="<p>only here</p>"))
        session.commit()
        posts_before = session.scalar(select(func.count()).select_from(Post))

    refused = cli(other, "restore", str(tmp_path / "one.backup"))

    assert refused.exit_code != 0
    assert "The database is not empty" in refused.output
    assert "--force" in refused.output
    with db(other) as session:
        assert session.scalar(select(func.count()).select_from(Post)) == posts_before

    forced = cli(other, "restore", "--force", str(tmp_path / "one.backup"))

    assert forced.exit_code == 0, forced.output
    other.extensions["casebook.engine"].dispose()
    assert all_rows(other.extensions["casebook.engine"]) == backed_up


def test_restore_refuses_a_file_that_is_not_a_backup(databases, tmp_path):
    app = make_test_app(databases("empty"))
    stray = tmp_path / "notes.txt"
    stray.write_text("not a database")

    result = cli(app, "restore", str(stray))

    assert result.exit_code != 0
    assert "is not a" in result.output and "backup" in result.output


def test_backup_will_not_overwrite_a_file(databases, tmp_path):
    app = make_test_app(databases("empty"))
    existing = tmp_path / "keep.me"
    existing.write_text("precious")

    result = cli(app, "backup", str(existing))

    assert result.exit_code != 0
    assert "already exists" in result.output
    assert existing.read_text() == "precious"


def test_backup_into_a_missing_folder_says_so(databases, tmp_path):
    app = make_test_app(databases("empty"))

    result = cli(app, "backup", str(tmp_path / "no-such-folder" / "casebook.backup"))

    assert result.exit_code != 0
    assert "does not exist" in result.output
