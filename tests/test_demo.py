"""``casebook seed-demo --scale N``: the demo dataset the bench measures."""

import re

import pytest
from sqlalchemy import func, select

from casebook import demo
from casebook.accounts.models import User
from casebook.cli import DEMO_ACCOUNTS, DEMO_PASSWORD
from casebook.discussion.models import PUBLISHED, Discussion, Post, Thread
from casebook.groups.models import FACILITATOR, PARTICIPANT, Group, Membership
from tests.conftest import db, sign_in

SCALE = 0.01


@pytest.fixture
def seeded(app, cases):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", str(SCALE)])
    assert result.exit_code == 0, result.output
    return result.output


def _members(session, group_name):
    group = session.scalar(select(Group).where(Group.name == group_name))
    return {m.user_id: m for m in session.scalars(
        select(Membership).where(Membership.group_id == group.id))}


def test_seeding_makes_the_stated_shape(app, seeded):
    shape = demo.shape_for(SCALE)
    with db(app) as session:
        assert demo.counts(session) == {
            "users": shape.users + len(DEMO_ACCOUNTS), "groups": shape.groups,
            "discussions": shape.discussions,
            "posts": session.scalar(select(func.sum(Thread.last_number))),
        }
        assert len(_members(session, demo.BIG_GROUP)) == shape.lecture_hall
        assert len(_members(session, demo.SMALL_GROUP)) == demo.SMALL_GROUP_SIZE

        big = session.scalar(select(Group).where(Group.name == demo.BIG_GROUP))
        first = session.scalar(select(Discussion).where(Discussion.group_id == big.id)
                               .order_by(Discussion.id).limit(1))
        threads = session.scalars(select(Thread).where(Thread.discussion_id == first.id)
                                  .order_by(Thread.position))
        sizes = [t.last_number for t in threads][:len(shape.big_threads)]
        assert sizes == list(shape.big_threads)
        # Numbers run 1..n in every thread, as posting would have left them.
        for thread_id, count, top in session.execute(
                select(Post.thread_id, func.count(), func.max(Post.number))
                .where(Post.status == PUBLISHED).group_by(Post.thread_id)):
            assert count == top, thread_id

        post = session.scalar(select(Post).limit(1))
        assert 60 <= post.word_count <= 110
        assert "<em>" in post.body_html and "<li>" in post.body_html
        assert re.search(r'<a href="https://[^"]+" rel="nofollow noopener ugc">', post.body_html)
        assert session.scalar(select(func.count()).select_from(Post)
                              .where(Post.reply_to_id.is_not(None))) > 0
    assert "posts:" in seeded and "done" in seeded  # progress while seeding


def test_demo_accounts_sign_in_and_see_the_big_groups(app, seeded):
    with db(app) as session:
        facilitator, participant = (
            session.scalar(select(User).where(User.email == email)) for email, _ in DEMO_ACCOUNTS)
        for group_name in (demo.BIG_GROUP, demo.SMALL_GROUP):
            members = _members(session, group_name)
            assert members[facilitator.id].role == FACILITATOR
            assert members[participant.id].role == PARTICIPANT
        paths = demo.landmarks(session)

    client = app.test_client()
    assert sign_in(client, email=DEMO_ACCOUNTS[1][0], password=DEMO_PASSWORD).status_code == 302
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, name
    page = client.get(paths["thread_10000"]).get_data(as_text=True)
    assert page.count('id="post-') == 50
    assert demo.BIG_GROUP in client.get("/groups/").get_data(as_text=True)
    # Seeded members share the demo password.
    other = app.test_client()
    assert sign_in(other, email=demo.member_email(1), password=DEMO_PASSWORD).status_code == 302


def test_seeding_twice_adds_nothing(app, seeded):
    with db(app) as session:
        before = demo.counts(session)

    again = app.test_cli_runner().invoke(args=["seed-demo", "--scale", str(SCALE)])

    assert again.exit_code == 0, again.output
    assert "already here" in again.output
    with db(app) as session:
        assert demo.counts(session) == before


def test_seeding_without_cases_says_what_to_do(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--scale", str(SCALE)])

    assert result.exit_code != 0
    assert "import-cases" in result.output
    with db(app) as session:
        assert demo.counts(session)["groups"] == 0
