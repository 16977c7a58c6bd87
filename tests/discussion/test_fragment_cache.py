"""The thread page's cached post lists: every change shows on the next view.

Each step first views the page twice (the second view is served from the
cache), then changes something the way members and moderators do, then
checks the next view shows the change. Runs on PostgreSQL too
(CASEBOOK_TEST_DATABASE_URL).
"""

import re
import uuid

from casebook import fragments
from casebook.accounts.models import User
from casebook.discussion.models import Discussion, Post
from casebook.groups.models import Group
from tests.conftest import ANY_PAGE, csrf_from, db, make_test_app, post_form, signed_in
from tests.discussion.conftest import form_value, page_text, reply, thread_url
from tests.test_redis_limits import REDIS_URL, redis_client  # noqa: F401 - a fixture


def seen(client, w) -> str:
    """The thread page as the client sees it, viewed twice so the second comes from the cache."""
    assert client.get(thread_url(w, w.thread)).status_code == 200
    return page_text(client.get(thread_url(w, w.thread)))


def ann_post(app, w) -> Post:
    with db(app) as session:
        return session.query(Post).filter_by(thread_id=w.thread.id, author_id=w.ann.id).one()


def test_edit_hide_restore_delete_and_renaming_show_at_once(app, world, client_for):
    ann, ben, mod = client_for(world.ann), client_for(world.ben), client_for(world.mod)
    assert reply(ann, world, world.thread, "First thoughts on the duty of care.").status_code == 302
    post = ann_post(app, world)
    assert "First thoughts" in seen(ben, world)

    edit = f"/groups/{world.gid}/posts/{post.id}/edit"
    assert post_form(ann, edit, edit, {"body": "Revised view of the duty.",
                                       "submit": "Save changes"}).status_code == 302
    page = seen(ben, world)
    assert "Revised view" in page and "First thoughts" not in page

    assert post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{post.id}/hide",
                     {"reason": "Off topic"}).status_code == 302
    page = seen(ben, world)
    assert "This post was hidden by a moderator." in page and "Revised view" not in page

    assert post_form(mod, ANY_PAGE,
                     f"/groups/{world.gid}/posts/{post.id}/restore").status_code == 302
    assert "Revised view" in seen(ben, world)

    with db(app) as session:
        session.get(User, world.ann.id).display_name = "Annabel Example"
        session.commit()
    page = seen(ben, world)
    assert "Annabel Example" in page and "Ann Example" not in page

    delete = f"/groups/{world.gid}/posts/{post.id}/delete"
    assert post_form(ann, delete, delete).status_code == 302
    page = seen(ben, world)
    assert "This post was removed by its author." in page and "Revised view" not in page


def test_approving_a_held_post_shows_it_to_peers(app, world, client_for):
    with db(app) as session:
        session.get(Group, world.gid).premoderation = "all"
        session.commit()
    ann, ben, mod = client_for(world.ann), client_for(world.ben), client_for(world.mod)
    reply(ann, world, world.thread, "Held until a moderator looks.")
    assert "Held until" not in seen(ben, world)
    assert "Awaiting approval" in seen(mod, world)
    post = ann_post(app, world)
    assert post_form(mod, ANY_PAGE,
                     f"/groups/{world.gid}/posts/{post.id}/approve").status_code == 302
    assert "Held until" in seen(ben, world)


def test_moderators_forms_carry_their_own_fresh_token(app, world, client_for):
    reply(client_for(world.ann), world, world.thread, "A post to moderate.")
    mod = client_for(world.mod)
    page = seen(mod, world)
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    # One token on the page, the session's own: the cached list held none.
    assert len(tokens) == 1
    post = ann_post(app, world)
    response = mod.post(f"/groups/{world.gid}/posts/{post.id}/hide",
                        data={"csrf_token": tokens.pop(), "reason": "Checking"})
    assert response.status_code == 302
    # Another moderator's page, from the same cache key's neighbourhood, has its own.
    other = page_text(client_for(world.fac).get(thread_url(world, world.thread)))
    assert set(re.findall(r'name="csrf_token" value="([^"]+)"', other)) != tokens


def test_identity_setting_and_answering_under_post_first_show_at_once(app, world, client_for):
    ann, ben, fac = client_for(world.ann), client_for(world.ben), client_for(world.fac)
    reply(ann, world, world.thread, "My answer, before anyone else.")
    page = seen(ben, world)
    assert "Ann Example" in page

    edit = f"/groups/{world.gid}/discussions/{world.discussion.id}/edit"
    with db(app) as session:
        title = session.get(Discussion, world.discussion.id).title
    assert post_form(fac, edit, edit, {"title": title, "identity": "pseudonymous",
                                       "post_first": "y"}).status_code == 302
    page = seen(ben, world)
    # Post-first now: Ben has not answered, so he sees no one's answer yet.
    assert "My answer" not in page and "Post your answer to see" in page

    reply(ben, world, world.thread, "Ben's own answer.")
    page = seen(ben, world)
    assert "My answer" in page and "Ann Example" not in page


def test_two_servers_share_cached_lists_through_redis_and_see_each_others_edits(
        app, world, database_url, redis_client):  # noqa: F811 - the imported fixture
    prefix = f"casebook-test-{uuid.uuid4().hex[:8]}"
    one, two = (make_test_app(database_url, REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
                for _ in range(2))
    ben_one, ann_two = signed_in(one, world.ben), signed_in(two, world.ann)
    assert reply(ann_two, world, world.thread, "Written on server two.").status_code == 302
    assert "Written on server two." in seen(ben_one, world)
    assert redis_client.keys(f"{prefix}casebook:fragment:*"), "the list is cached in Redis"

    post = ann_post(app, world)
    edit = f"/groups/{world.gid}/posts/{post.id}/edit"
    assert post_form(ann_two, edit, edit, {"body": "Edited on server two.",
                                           "submit": "Save changes"}).status_code == 302
    page = seen(ben_one, world)
    assert "Edited on server two." in page and "Written on server two." not in page
    for key in redis_client.keys(f"{prefix}*"):
        redis_client.delete(key)
    for server in (one, two):
        server.extensions["casebook.engine"].dispose()


def test_kept_page_parts_carry_this_views_own_keys_and_tokens(app, world, client_for):
    """The site header and the blank reply form are kept rendered (page_chrome);
    what differs per view (the submission key, the session's CSRF token) must not."""
    ann, ben = client_for(world.ann), client_for(world.ben)
    pages = [page_text(ann.get(thread_url(world, world.thread))) for _ in range(2)]
    keys = [form_value(html, "submission_key") for html in pages]
    assert keys[0] != keys[1] and all(len(key) >= 24 for key in keys)
    with app.app_context():
        placeholders = [fragments.placeholder("submission-key"), fragments.csrf_placeholder()]
    assert not any(placeholder in pages[1] for placeholder in placeholders)

    # Another member's view of the same kept parts has their own token.
    assert csrf_from(page_text(ben.get(thread_url(world, world.thread)))) != csrf_from(pages[1])

    response = ann.post(f"/groups/{world.gid}/threads/{world.thread.id}/posts", data={
        "csrf_token": csrf_from(pages[1]), "submission_key": keys[1],
        "body": "Posted from a kept form.", "submit": "Post"})
    assert response.status_code == 302
    assert "Posted from a kept form." in seen(ben, world)

    # The kept header's sign-out form works with the token it was given.
    assert ann.post("/account/sign-out", data={"csrf_token": csrf_from(pages[1])}
                    ).status_code == 302
    assert ann.get(thread_url(world, world.thread)).status_code == 404  # outsiders' answer
