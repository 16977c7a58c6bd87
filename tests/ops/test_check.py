"""``casebook check`` passes a sound database and names a broken reference in plain words."""

import pytest
from sqlalchemy import text

from casebook import migrate
from casebook.db import make_engine
from tests.conftest import make_test_app
from tests.ops.test_backup import cli, seeded_app
from tests.scratch import on_postgres, scratch_databases


@pytest.fixture
def app(tmp_path, tmp_instance, database_url):
    with scratch_databases(tmp_path) as new:
        app, _, _ = seeded_app(new("check"))
        yield app
        app.extensions["casebook.engine"].dispose()


def test_check_passes_a_sound_database(app):
    result = cli(app, "check")

    assert result.exit_code == 0, result.output
    assert "No problems found." in result.output


def test_check_reports_a_post_whose_thread_is_missing(app):
    engine = app.extensions["casebook.engine"]
    with engine.begin() as connection:
        # Break the reference behind the database's back, as a bad manual fix
        # or a restore with the checks switched off would.
        if on_postgres():
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        post_id = connection.execute(text("SELECT min(id) FROM posts")).scalar_one()
        connection.execute(text("UPDATE posts SET thread_id = 987654 WHERE id = :id"),
                           {"id": post_id})

    result = cli(app, "check")

    assert result.exit_code == 1
    assert "1 row points from posts.thread_id to a missing row in threads" in result.output
    assert "1 problem(s) found." in result.output


def test_check_says_when_the_database_needs_migrating(tmp_path, tmp_instance, database_url):
    with scratch_databases(tmp_path) as new:
        url = new("old")
        engine = make_engine(url)
        migrate.upgrade(engine, "0003")
        engine.dispose()
        app = make_test_app(url)

        result = cli(app, "check")

        app.extensions["casebook.engine"].dispose()
    assert result.exit_code == 1
    assert "The database is at migration 0003" in result.output
    assert "run 'casebook db upgrade'" in result.output


@pytest.mark.skipif(on_postgres(), reason="PostgreSQL's index is kept by the database itself")
def test_check_reports_a_search_index_out_of_step_with_the_posts(app):
    engine = app.extensions["casebook.engine"]
    with engine.begin() as connection:
        # Words indexed for a post that does not say them, behind the triggers' back.
        connection.execute(text(
            "INSERT INTO posts_fts(rowid, search_text) VALUES (987654, 'ghost words')"))

    result = cli(app, "check")

    assert result.exit_code == 1
    assert "The search index posts_fts does not match its table" in result.output
