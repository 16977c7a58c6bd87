"""Pages cost the same number of SQL queries however long the discussion is."""

from datetime import timedelta

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.deliberation.models import LENS, STAKEHOLDER, PostTag
from casebook.discussion.models import Post, Thread
from casebook.discussion.thread_reading import last_page
from casebook.groups.models import Group
from casebook.markdown import render_markdown
from tests.conftest import count_queries, db
from tests.discussion.conftest import page_text
from tests.factories import add_member, make_discussion, make_group

VIGILANTES = "online-vigilante-groups"


def fill(session, thread: Thread, authors: list[User], count: int) -> None:
    """``count`` published posts; every fifth replies to one 60 posts back (another page);
    every third is tagged with the rights lens and a stakeholder."""
    start = utcnow() - timedelta(days=1)
    posts = []
    for n in range(1, count + 1):
        body = f"Post number {n} with **some** words"
        post = Post(thread_id=thread.id, author_id=authors[n % len(authors)].id, number=n,
                    status="published", body_md=body, body_html=render_markdown(body),
                    created_at=start + timedelta(seconds=n))
        if n % 5 == 0:
            post.reply_to = posts[max(0, n - 61)]
        if n % 3 == 0:
            session.add_all([PostTag(post=post, kind=LENS, key="rights"),
                             PostTag(post=post, kind=STAKEHOLDER, key=VIGILANTES)])
        posts.append(post)
    session.add_all(posts)
    thread.last_number = count
    thread.last_post_at = posts[-1].created_at
    session.commit()


def queries(app, client, url: str) -> int:
    assert client.get(url).status_code == 200  # first visit records reading
    with count_queries(app.extensions["casebook.engine"]) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_thread_discussion_and_activity_pages_cost_a_fixed_number_of_queries(
        app, world, client_for):
    with db(app) as session:
        users = [session.get(User, u.id) for u in (world.ann, world.ben, world.mod)]
        small = session.get(Thread, world.thread.id)
        fill(session, small, users, 10)
        # A second group where the same people write 500 posts in one thread and
        # more across others, plus a few threads that members started.
        big_group = make_group(session, session.get(User, world.fac.id), name="Big seminar")
        for user in users:
            add_member(session, big_group, user, world_role(session, world, user))
        big_discussion = make_discussion(session, big_group, session.get(User, world.fac.id),
                                         allow_member_threads=True)
        for i in range(3):
            big_discussion.threads.append(Thread(title=f"Member thread {i}", position=50 + i))
        session.commit()
        big = big_discussion.threads[0]
        fill(session, big, users, 500)
        for other in big_discussion.threads[1:6]:
            fill(session, other, users, 30)
        big_pages = last_page(big)
        ids = {"small": small.id, "big": big.id, "big_group": big_group.id,
               "big_discussion": big_discussion.id}
        assert session.get(Group, big_group.id) is not None

    for user in (world.ann, world.fac):
        client = client_for(user)
        small_thread = queries(app, client, f"/groups/{world.gid}/threads/{ids['small']}")
        big_first = queries(app, client, f"/groups/{ids['big_group']}/threads/{ids['big']}")
        big_last = queries(app, client, f"/groups/{ids['big_group']}/threads/{ids['big']}"
                                        f"?page={big_pages}")
        assert small_thread == big_first == big_last, (small_thread, big_first, big_last)
        # The viewer, the group with the membership, the thread with what the page
        # asks about its viewer, the neighbouring prompts; the posts come cached.
        assert small_thread <= 4, small_thread
        tagged = "?tag=lens:rights"
        small_tagged = queries(app, client, f"/groups/{world.gid}/threads/{ids['small']}{tagged}")
        big_tagged = queries(app, client,
                             f"/groups/{ids['big_group']}/threads/{ids['big']}{tagged}")
        assert small_tagged == big_tagged, (small_tagged, big_tagged)

        small_view = queries(app, client,
                             f"/groups/{world.gid}/discussions/{world.discussion.id}")
        big_view = queries(app, client,
                           f"/groups/{ids['big_group']}/discussions/{ids['big_discussion']}")
        assert small_view == big_view, (small_view, big_view)

        small_activity = queries(app, client, f"/groups/{world.gid}/activity")
        big_activity = queries(app, client, f"/groups/{ids['big_group']}/activity")
        big_activity_later = queries(app, client,
                                     f"/groups/{ids['big_group']}/activity?page=5")
        assert small_activity == big_activity == big_activity_later, (
            small_activity, big_activity, big_activity_later)

    # The big thread really is paged: its last page holds the last posts.
    page = page_text(client_for(world.ann).get(
        f"/groups/{ids['big_group']}/threads/{ids['big']}?page={big_pages}"))
    assert "Post number 500 with" in page and "Post number 449 " not in page


def world_role(session, w, user):
    from casebook.groups.service import membership_of

    return membership_of(session, w.gid, user).role
