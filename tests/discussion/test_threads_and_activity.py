"""Threads that members start, and the group's recent activity."""

import re

from sqlalchemy import func, select

from casebook.discussion.models import PENDING, Discussion, Post, Thread
from casebook.groups.models import Group
from casebook.moderation.models import WatchedWord
from tests.conftest import csrf_from, db
from tests.discussion.conftest import page_text, write


def new_thread_url(w) -> str:
    return f"/groups/{w.gid}/discussions/{w.discussion.id}/threads/new"


def allow_member_threads(app, w):
    with db(app) as session:
        session.get(Discussion, w.discussion.id).allow_member_threads = True
        session.commit()


def start(client, w, title: str, body: str, **extra):
    form = page_text(client.get(new_thread_url(w)))
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', form).group(1)
    return client.post(new_thread_url(w), data={
        "csrf_token": csrf_from(form), "title": title, "body": body,
        "submission_key": key, "submit": "Start thread", **extra})


def thread_count(app, w) -> int:
    with db(app) as session:
        return session.scalar(select(func.count()).select_from(Thread)
                              .where(Thread.discussion_id == w.discussion.id))


def test_member_starts_a_thread_listed_after_the_prompts(app, world, client_for):
    ann = client_for(world.ann)
    assert ann.get(new_thread_url(world)).status_code == 403
    allow_member_threads(app, world)
    page = page_text(ann.get(f"/groups/{world.gid}/discussions/{world.discussion.id}"))
    assert f'href="{new_thread_url(world)}">New thread</a>' in page
    before = thread_count(app, world)
    response = start(ann, world, "What about prevention?", "Stop It Now! deserves a thread.")
    assert response.status_code == 302
    with db(app) as session:
        thread = session.scalar(select(Thread).where(Thread.title == "What about prevention?"))
        assert thread.prompt_id is None
        assert thread.position == before  # after every prompt
        assert thread.last_number == 1
    page = page_text(ann.get(f"/groups/{world.gid}/discussions/{world.discussion.id}"))
    section = page.split("Threads started by members", 1)[1]
    assert "What about prevention?" in section
    assert "Stop It Now! deserves a thread." in page_text(ann.get(response.headers["Location"]))


def test_a_blocked_first_post_creates_no_thread(app, world, client_for):
    allow_member_threads(app, world)
    with db(app) as session:
        session.add(WatchedWord(group_id=world.gid, phrase="Jane Doe", action="block"))
        session.commit()
    before = thread_count(app, world)
    response = start(client_for(world.ann), world, "About Jane", "I know Jane Doe.")
    assert response.status_code == 422
    page = page_text(response)
    assert "This group does not allow" in page and "I know Jane Doe.</textarea>" in page
    assert 'value="About Jane"' in page
    assert thread_count(app, world) == before
    empty = start(client_for(world.ann), world, "", "")
    assert empty.status_code == 422
    assert "Give the thread a title." in page_text(empty)


def test_activity_lists_recent_published_posts_newest_first(app, world, client_for):
    with db(app) as session:
        write(session, world.thread.id, world.ann, "Oldest words")
        write(session, world.discussion.threads[2].id, world.ben, "Middle words")
        newest = write(session, world.thread.id, world.fac, "Newest words")
        hidden = write(session, world.thread.id, world.ben, "Hidden words")
        session.get(Post, hidden.id).status = "hidden"
        # Held the way the app holds posts: never numbered.
        session.get(Group, world.gid).premoderation = "all"
        pending = write(session, world.thread.id, world.ben, "Pending words")
        assert pending.status == PENDING and pending.number is None
        session.get(Group, world.gid).premoderation = "off"
        write(session, world.other_thread.id, world.out, "Other group words")
        session.commit()
    page = page_text(client_for(world.ann).get(f"/groups/{world.gid}/activity"))
    assert page.index("Newest words") < page.index("Middle words") < page.index("Oldest words")
    for absent in ("Hidden words", "Pending words", "Other group words"):
        assert absent not in page
    assert f'href="/groups/{world.gid}/posts/{newest.id}"' in page
    assert "3 posts across the group" in page


def test_activity_leaves_out_scheduled_discussions_for_participants(app, world, client_for):
    from datetime import UTC, datetime, timedelta

    with db(app) as session:
        write(session, world.thread.id, world.ann, "Visible words")
        write(session, world.thread.id, world.fac, "Prepared in advance")
        session.get(Discussion, world.discussion.id).opens_at = (
            datetime.now(UTC) + timedelta(days=1))
        session.commit()
    page = page_text(client_for(world.ben).get(f"/groups/{world.gid}/activity"))
    assert "Prepared in advance" not in page and "Nothing has been posted yet." in page
    staff = page_text(client_for(world.mod).get(f"/groups/{world.gid}/activity"))
    assert "Prepared in advance" in staff
    assert client_for(world.out).get(f"/groups/{world.gid}/activity").status_code == 404
