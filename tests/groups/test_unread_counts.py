"""Unread counts per discussion on My groups and the group page: they follow
other members' posts, never count one's own, and leave out posts the viewer
may not see (held, hidden, and peers' answers before one's own in post-first)."""

import re

import pytest

from casebook.accounts.models import User
from casebook.discussion.models import Discussion, Thread
from casebook.discussion.reading import unread_by_discussion, unread_by_thread
from casebook.groups.models import Group
from casebook.moderation import service as moderation
from tests.conftest import db
from tests.factories import post, seminar


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        return seminar(session)


def _write(app, world, user, body: str, thread_id: int | None = None):
    with db(app) as session:
        thread = session.get(Thread, thread_id or world.thread.id)
        return post(session, thread, session.get(User, user.id), body).id


def _badge(html: str, discussion_id: int) -> str:
    """The badge next to the discussion's link on My groups or the group page."""
    match = re.search(rf'discussions/{discussion_id}">.*?<span class="badge[^"]*">([^<]*)</span>',
                      html, re.DOTALL)
    assert match, "no badge for the discussion"
    return match.group(1)


def _pages(world, client):
    return (_badge(client.get("/groups/").get_data(as_text=True), world.discussion.id),
            _badge(client.get(f"/groups/{world.gid}").get_data(as_text=True),
                   world.discussion.id))


def test_counts_change_when_another_member_posts_and_not_for_own_posts(
        app, world, client_for):
    ann, ben = client_for(world.ann), client_for(world.ben)
    assert _pages(world, ann) == ("No unread posts", "No unread posts")
    _write(app, world, world.ben, "Ben's first.")
    assert _pages(world, ann) == ("1 unread", "1 unread")
    assert _pages(world, ben) == ("No unread posts", "No unread posts")  # his own
    _write(app, world, world.fac, "Fay's reply.")
    assert _pages(world, ann) == ("2 unread", "2 unread")
    assert _pages(world, ben) == ("1 unread", "1 unread")
    ann.get(f"/groups/{world.gid}/threads/{world.thread.id}")  # Ann reads the thread
    assert _pages(world, ann) == ("No unread posts", "No unread posts")


def test_held_and_hidden_posts_are_not_counted(app, world, client_for):
    with db(app) as session:
        group = session.get(Group, world.gid)
        group.premoderation = "all"
        session.commit()
    _write(app, world, world.ben, "Waiting for approval.")
    ann, mod = client_for(world.ann), client_for(world.mod)
    assert _pages(world, ann)[1] == "No unread posts"
    assert _pages(world, mod)[1] == "No unread posts"  # not published yet for anyone
    with db(app) as session:
        session.get(Group, world.gid).premoderation = "off"
        session.commit()
    shown = _write(app, world, world.ben, "Published.")
    assert _pages(world, ann)[1] == "1 unread"
    with db(app) as session:
        from casebook.discussion.models import Post

        moderation.hide(session, session.get(Post, shown), session.get(User, world.mod.id),
                        "Names a person.")
    assert _pages(world, ann) == ("No unread posts", "No unread posts")


def test_post_first_answers_count_only_once_the_viewer_may_see_them(app, world, client_for):
    with db(app) as session:
        session.get(Discussion, world.discussion.id).post_first = True
        session.commit()
    _write(app, world, world.ben, "Ben's answer.")
    ann = client_for(world.ann)
    assert _pages(world, ann)[1] == "No unread posts"
    assert _pages(world, client_for(world.fac))[1] == "1 unread"  # staff see every answer
    # Ann answers another prompt: still hidden. Answering this one reveals Ben's.
    second = world.discussion.threads[1].id
    _write(app, world, world.ann, "Ann elsewhere.", second)
    assert _pages(world, ann)[1] == "No unread posts"
    _write(app, world, world.ann, "Ann's answer.")
    assert _pages(world, ann)[1] == "1 unread"


def test_service_counts_per_thread_and_per_discussion_agree(app, world):
    _write(app, world, world.ben, "One.")
    _write(app, world, world.ben, "Two.", world.discussion.threads[2].id)
    _write(app, world, world.ann, "Own.", world.discussion.threads[2].id)
    with db(app) as session:
        ann = session.get(User, world.ann.id)
        discussion = session.get(Discussion, world.discussion.id)
        by_thread = unread_by_thread(session, discussion, ann, sees_everything=False)
        assert by_thread == {world.thread.id: 1, world.discussion.threads[2].id: 1}
        by_discussion = unread_by_discussion(
            session, ann, [world.gid, world.other_group.id])
        assert by_discussion == {world.discussion.id: 2}
