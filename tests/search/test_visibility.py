"""Search finds exactly the published posts the thread page would show the
viewer (``policy.may_see_post``), for every kind of post and viewer, on the
suite's engine (SQLite, or PostgreSQL with CASEBOOK_TEST_DATABASE_URL)."""

import pytest
from sqlalchemy import select

from casebook import policy
from casebook.accounts.models import User
from casebook.discussion import thread_reading
from casebook.discussion.models import PUBLISHED, Discussion, Post, Thread
from casebook.groups.service import membership_of
from casebook.search.service import search_posts
from casebook.search.text import terms
from tests.conftest import db
from tests.discussion.test_one_visibility_rule import _world_of_posts

QUERIES = ["in", "published", "hidden", "pending", "staged", "prepared framing", "ben",
           "opening post"]


def found_by_search(session, user, gid: int, everything: bool, query: str) -> set[int]:
    ids, page, pages = set(), 1, 1
    while page <= pages:
        results = search_posts(session, user, [gid], terms(query), page=page,
                               sees_everything_in={gid} if everything else set())
        ids |= {p.id for p in results.posts}
        pages, page = results.pages, page + 1
    return ids


@pytest.mark.parametrize("viewer", ["ann", "ben", "mod", "fac", "admin"])
def test_search_finds_what_the_policy_shows_and_nothing_else(app, world, viewer):
    _world_of_posts(app, world)
    with db(app) as session:
        user = session.get(User, getattr(world, viewer).id)
        membership = membership_of(session, world.gid, user)
        everything = policy.sees_everything(user, membership)
        in_group = (select(Post).join(Thread, Post.thread_id == Thread.id)
                    .join(Discussion, Thread.discussion_id == Discussion.id)
                    .where(Discussion.group_id == world.gid))
        shown = set()
        for post in session.scalars(in_group):
            answered = thread_reading.has_answered(session, post.thread, user)
            peers = policy.may_see_peer_posts(user, membership, post.thread, answered)
            if (post.status == PUBLISHED
                    and policy.may_see_post(user, membership, post, sees_peers=peers)
                    and policy.may_see_post_body(user, membership, post)):
                shown.add(post.id)
        texts = {p.id: p.search_text.split() for p in session.scalars(in_group)}
        everything_found = set()
        for query in QUERIES:
            found = found_by_search(session, user, world.gid, everything, query)
            expected = {i for i in shown if set(terms(query)) <= set(texts[i])}
            assert found == expected, query
            everything_found |= found
    assert everything_found, "the queries must find something for every viewer"
    if viewer == "ben":
        bodies = {texts[i][0] for i in everything_found}
        assert "hidden" not in bodies and "pending" not in bodies
