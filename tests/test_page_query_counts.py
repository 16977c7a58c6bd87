"""Every page the bench measures costs a fixed number of SQL queries, however
much there is: more members, more posts, more discussions.

The thread, discussion and activity pages have their own test
(tests/discussion/test_query_count.py); this one covers the rest. Each bound is
the count today: a change that adds a query per row fails the equality, one
that adds a fixed query fails the bound and must raise it on purpose.
"""

from sqlalchemy import select

from casebook.accounts.models import User
from casebook.cases import authoring
from casebook.cases.service import get_case
from casebook.discussion.models import Post, Thread
from casebook.groups.models import Group
from casebook.live import projector
from tests.conftest import count_queries, db
from tests.discussion.conftest import page_text, reply, thread_url
from tests.discussion.test_query_count import fill
from tests.factories import add_member, make_discussion, make_group, seminar


def queries(app, client, url: str) -> int:
    assert client.get(url).status_code == 200, url
    with count_queries(app.extensions["casebook.engine"]) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def many_members(session, group, count: int) -> None:
    for n in range(count):
        user = User(email=f"member{n}@example.org", email_key=f"member{n}@example.org",
                    display_name=f"Member {n}", password_hash="!")
        session.add(user)
        session.flush()
        add_member(session, group, user)


def test_library_case_and_group_pages_cost_a_fixed_number_of_queries(app, cases, client_for):
    with db(app) as session:
        small = seminar(session)
        fac = session.get(User, small.fac.id)
        big_group = make_group(session, fac, name="Lecture hall")
        many_members(session, big_group, 120)
        add_member(session, big_group, session.get(User, small.ann.id))
        for slug in ("online-vigilantes", "online-vigilantes", "online-vigilantes"):
            make_discussion(session, big_group, fac, slug)
        big_gid = big_group.id

    for user in (small.ann, small.fac):
        client = client_for(user)
        assert queries(app, client, "/cases/") <= 4
        # The user and the case's stamp: the drawn article is kept by content.
        assert queries(app, client, "/cases/online-vigilantes/read") == 2
    # Signed out, the whole drawn page is kept: only the stamp is read.
    assert queries(app, client_for(None), "/cases/online-vigilantes/read") == 1
    client = client_for(small.ann)
    small_group = queries(app, client, f"/groups/{small.gid}")
    big = queries(app, client, f"/groups/{big_gid}")
    assert small_group == big <= 7, (small_group, big)


def test_group_case_pages_cost_the_same_however_many_cases_and_prompts(app, cases,
                                                                      client_for):
    with db(app) as session:
        world = seminar(session)
        library = get_case(session, "online-vigilantes")
        small, big = (session.get(Group, gid) for gid in (world.gid, world.other_group.id))
        # One case with a single prompt in the small group; four full copies in the big.
        front = authoring.front_matter(library)
        front["prompts"] = {"decide": front["prompts"]["decide"][:1]}
        front.pop("teaching_notes")
        authoring.save_group_case(session, small, authoring.validate(front, library.body_md))
        for _ in range(4):
            authoring.copy_to_group(session, library, big)
    slug = "online-vigilantes"
    for page in ("", f"/{slug}", f"/{slug}/edit", f"/{slug}/download"):
        few = queries(app, client_for(world.fac), f"/groups/{world.gid}/cases{page}")
        many = queries(app, client_for(world.out), f"/groups/{world.other_group.id}/cases{page}")
        assert few == many <= 6, (page, few, many)


def test_posting_a_reply_costs_the_same_in_a_long_thread(app, cases, client_for):
    with db(app) as session:
        w = seminar(session)
        users = [session.get(User, u.id) for u in (w.ann, w.ben, w.mod)]
        short = w.discussion.threads[0]
        long = w.discussion.threads[1]
        fill(session, session.get(Thread, long.id), users, 400)
    client = client_for(w.ann)
    engine = app.extensions["casebook.engine"]
    counts = []
    for thread in (short, long):
        reply(client, w, thread, "A first reply")  # reading state and form warm-up
        page_text(client.get(thread_url(w, thread)))
        with count_queries(engine) as statements:
            response = reply(client, w, thread, "A reply counted")
        assert response.status_code == 302
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 20, counts


def test_search_costs_the_same_however_many_posts_match(app, cases, client_for):
    with db(app) as session:
        w = seminar(session)
        users = [session.get(User, u.id) for u in (w.ann, w.ben, w.mod)]
        fill(session, session.get(Thread, w.discussion.threads[0].id), users, 3)
    client = client_for(w.ann)
    url = "/search?q=some+words"
    few = queries(app, client, url)
    with db(app) as session:
        users = [session.get(User, u.id) for u in (w.ann, w.ben, w.mod)]
        fac = session.get(User, w.fac.id)
        second = make_group(session, fac, name="Second seminar")
        for user in users:
            add_member(session, second, user)
        many_members(session, second, 30)
        for thread in (*w.discussion.threads[1:4],
                       *make_discussion(session, second, fac).threads[:3]):
            fill(session, session.get(Thread, thread.id), users, 60)
    assert "363 posts matching" in page_text(client.get(url))
    many = queries(app, client, url)
    assert few == many <= 6, (few, many)
def test_the_projector_costs_the_same_with_one_post_on_screen_or_forty(app, cases, client_for):
    with db(app) as session:
        w = seminar(session)
        thread = session.get(Thread, w.thread.id)
        fill(session, thread, [session.get(User, u.id) for u in (w.ann, w.ben)], 40)
        projector.show(session, thread_posts(session, thread.id)[0])
    client = client_for(w.fac)
    url = f"/groups/{w.gid}/discussions/{w.discussion.id}/projector"
    one = queries(app, client, url)
    with db(app) as session:
        for post in thread_posts(session, w.thread.id)[1:]:
            projector.show(session, post)
    many = queries(app, client, url)
    assert "Post number 40" in page_text(client.get(url))
    assert one == many <= 10, (one, many)


def thread_posts(session, thread_id: int) -> list[Post]:
    return list(session.scalars(select(Post).where(Post.thread_id == thread_id)
                                .order_by(Post.number)))
def test_the_notifications_page_and_badge_cost_the_same_however_many(app, cases, client_for):
    from casebook.notifications.models import Notification

    with db(app) as session:
        w = seminar(session)
        session.add(Notification(user_id=w.ann.id, kind="reply", text="One reply."))
        session.add_all(Notification(user_id=w.ben.id, kind="reply", text=f"Reply {n}.")
                        for n in range(60))
        session.commit()
    few = queries(app, client_for(w.ann), "/notifications/")
    many = queries(app, client_for(w.ben), "/notifications/")
    assert few == many <= 3, (few, many)
    # The badge's count comes with the signed-in user: no query of its own.
    assert "Notifications (60)" in client_for(w.ben).get("/cases/").get_data(as_text=True)
    assert queries(app, client_for(w.ben), "/cases/") <= 4
