"""On PostgreSQL, the thread, unread and activity queries can be served by indexes.

The test tables hold a few rows, where a sequential scan is always cheapest, so
the planner would pick one whatever indexes exist. ``SET enable_seqscan = off``
makes it use an index wherever one can serve the query; a ``Seq Scan`` left in
the plan means no index can. Skipped on SQLite (``EXPLAIN`` there is another
language); .ci/run runs it on PostgreSQL.
"""

import os

import pytest
from sqlalchemy import event, select

from casebook.cases.models import Case
from casebook.discussion.models import Post
from casebook.search.index import matching
from tests.conftest import db
from tests.discussion.conftest import thread_url
from tests.factories import post, seminar

pytestmark = pytest.mark.skipif(not os.environ.get("CASEBOOK_TEST_DATABASE_URL"),
                                reason="EXPLAIN plans are checked on PostgreSQL")


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        w = seminar(session)
        # Spread over every thread, so an index on the thread is clearly the
        # selective one (with a dozen posts in two threads, any index scanned
        # whole, such as the reply index, cost the planner about the same).
        threads = w.discussion.threads
        for n in range(10 * len(threads)):
            post(session, threads[n % len(threads)], w.ann if n % 3 else w.ben,
                 f"Post {n} about the case")
        return w


def statements_of(app, client, url: str) -> list[tuple[str, object]]:
    seen = []

    def record(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    engine = app.extensions["casebook.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def plan(app, statement: str, parameters) -> str:
    raw = app.extensions["casebook.engine"].raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        cursor.execute("SET enable_seqscan = off")
        # Likewise a sort of a few rows beats any index; this shows whether an
        # index can give the order a page asks for.
        cursor.execute("SET enable_sort = off")
        cursor.execute("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        raw.rollback()
        raw.close()


def the_one(statements, *fragments: str) -> tuple[str, object]:
    found = [s for s in statements if all(f in s[0] for f in fragments)]
    assert len(found) == 1, [s[0] for s in statements]
    return found[0]


def test_thread_unread_and_activity_queries_use_indexes(app, world, client_for):
    client = client_for(world.ann)
    thread = world.discussion.threads[0]

    on_thread = statements_of(app, client, thread_url(world, thread))
    thread_plan = plan(app, *the_one(on_thread, "FROM posts", "posts.number >="))

    on_discussion = statements_of(app, client,
                                  f"/groups/{world.gid}/discussions/{world.discussion.id}")
    unread_plan = plan(app, *the_one(on_discussion, "thread_reads", "last_number"))

    on_activity = statements_of(app, client, f"/groups/{world.gid}/activity")
    activity_plan = plan(app, *the_one(on_activity, "ORDER BY posts.created_at DESC"))
    total_plan = plan(app, *the_one(on_activity, "last_number", "CASE WHEN"))

    for name, text in [("thread", thread_plan), ("unread", unread_plan),
                       ("activity", activity_plan), ("activity total", total_plan)]:
        assert "Seq Scan" not in text, f"{name} query:\n{text}"
    # The page's posts are found through the thread, not by reading every post.
    assert "Index Cond: (thread_id = " in thread_plan, thread_plan
    # Unread counts: per thread, seeking only the viewer's own posts past the
    # read number. (Which index finds the unpublished ones depends on the
    # statistics of these few rows; that it is an index is checked above.)
    assert "ix_posts_thread_author_status_number" in unread_plan, unread_plan
    # Newest first straight from the index, not a sort of every published post.
    assert "Index Scan Backward using ix_posts_status_created" in activity_plan, activity_plan



def test_the_search_condition_is_served_by_the_full_text_indexes(app, world):
    """The condition ``matching`` writes is the indexed expression itself, so the
    GIN indexes can answer it (with these few rows the planner may still prefer
    another index for a whole page's query)."""
    engine = app.extensions["casebook.engine"]
    for model, index in ((Post, "ix_posts_search"), (Case, "ix_cases_search")):
        compiled = select(model.id).where(
            matching("postgresql", model, ["case", "about"])).compile(engine)
        text = plan(app, str(compiled), compiled.params)
        assert index in text, text
