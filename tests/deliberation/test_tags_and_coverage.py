"""Authors tag posts with the case's lenses and stakeholders; the thread lists
the posts with one tag; the discussion page shows facilitators what is covered.
Runs on PostgreSQL too (CASEBOOK_TEST_DATABASE_URL)."""

import re

from casebook.deliberation.models import PostTag
from casebook.deliberation.service import stakeholder_key
from casebook.discussion.models import Discussion, Post
from tests.conftest import ANY_PAGE, db, post_form
from tests.discussion.conftest import page_text, reply, thread_url
from tests.factories import make_discussion

VIGILANTES = "online-vigilante-groups"
EXPOSED = "people-exposed-in-vigilante-stings"


def tags_of(app, post_id: int) -> set[tuple[str, str]]:
    with db(app) as session:
        return {(t.kind, t.key) for t in session.query(PostTag).filter_by(post_id=post_id)}


def article(page: str, post_id: int) -> str:
    """The thread page's article for one post (the filter links name every tag too)."""
    match = re.search(rf'<article [^>]*id="post-{post_id}">.*?</article>', page, re.S)
    assert match, f"post {post_id} is not on the page"
    return match.group(0)


def count_in(page: str, label: str) -> int:
    """The coverage table's count of posts for one lens or stakeholder."""
    match = re.search(rf'<th scope="row"[^>]*>{re.escape(label)}</th><td[^>]*>(\d+)</td>', page)
    assert match, f"{label} is not in the coverage tables"
    return int(match.group(1))


def only_post(app, thread_id: int, author_id: int) -> Post:
    with db(app) as session:
        return session.query(Post).filter_by(thread_id=thread_id, author_id=author_id).one()


def test_a_stakeholder_key_comes_from_the_name_alone():
    assert stakeholder_key("Online vigilante groups") == VIGILANTES
    assert stakeholder_key("Police officers such as DS Andy Nash") == (
        "police-officers-such-as-ds-andy-nash")
    assert stakeholder_key("  Families — of those exposed! ") == "families-of-those-exposed"


def test_the_post_form_offers_the_case_tags_and_the_post_shows_them(app, world, client_for):
    ann, ben = client_for(world.ann), client_for(world.ben)
    form = page_text(ann.get(thread_url(world, world.thread)))
    assert "Tag this post" in form and "Rights and duties" in form
    assert "Online vigilante groups" in form

    response = reply(ann, world, world.thread, "Due process matters here.",
                     lenses=["rights", "justice"], stakeholders=[EXPOSED])
    assert response.status_code == 302
    post = only_post(app, world.thread.id, world.ann.id)
    assert tags_of(app, post.id) == {("lens", "rights"), ("lens", "justice"),
                                     ("stakeholder", EXPOSED)}
    shown = article(page_text(ben.get(thread_url(world, world.thread))), post.id)
    assert 'aria-label="Tags of post 1"' in shown
    assert "Justice and fairness</a>" in shown and "Rights and duties</a>" in shown
    assert "People exposed in vigilante stings</a>" in shown
    assert "Care</a>" not in shown


def test_tags_not_of_the_case_are_a_field_error_and_nothing_is_stored(app, world, client_for):
    ann = client_for(world.ann)
    response = reply(ann, world, world.thread, "An answer.", lenses=["rights", "astrology"])
    assert response.status_code == 422
    assert "Choose lenses from this case&#39;s list." in page_text(response)
    response = reply(ann, world, world.thread, "An answer.", stakeholders=["the-moon"])
    assert response.status_code == 422
    assert "Choose stakeholders from this case&#39;s list." in page_text(response)
    with db(app) as session:
        assert session.query(Post).count() == 0


def test_the_thread_lists_only_posts_with_a_tag_and_ignores_unknown_tags(app, world, client_for):
    ann, ben = client_for(world.ann), client_for(world.ben)
    reply(ann, world, world.thread, "Arguing from rights.", lenses=["rights"])
    reply(ben, world, world.thread, "Arguing from care.", lenses=["care"])
    page = page_text(ben.get(thread_url(world, world.thread, tag="lens:rights")))
    assert "Posts tagged Rights and duties" in page
    assert "Arguing from rights." in page and "Arguing from care." not in page
    assert "Show all posts" in page
    for odd in ("lens:astrology", "nonsense", "lens:", ":rights", "role:nobody",
                "stakeholder:" + "x" * 5000):
        response = ben.get(thread_url(world, world.thread, tag=odd))
        assert response.status_code == 200, odd
        text = page_text(response)
        assert "Arguing from rights." in text and "Arguing from care." in text, odd
    page = page_text(ben.get(thread_url(world, world.thread, tag="stakeholder:" + VIGILANTES)))
    assert "No posts you can see here are tagged Online vigilante groups." in page


def test_the_filter_keeps_post_first_and_hidden_posts(app, world, client_for):
    with db(app) as session:
        discussion = session.get(Discussion, world.discussion.id)
        discussion.post_first = True
        session.commit()
    ann, ben, mod = client_for(world.ann), client_for(world.ben), client_for(world.mod)
    reply(ann, world, world.thread, "Ann's rights answer.", lenses=["rights"])
    filtered = thread_url(world, world.thread, tag="lens:rights")
    assert "Ann's rights answer." not in page_text(ben.get(filtered))
    assert "Ann's rights answer." in page_text(mod.get(filtered))

    post = only_post(app, world.thread.id, world.ann.id)
    assert post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{post.id}/hide",
                     {"reason": "Off topic"}).status_code == 302
    reply(ben, world, world.thread, "Ben answers too.")
    page = page_text(ben.get(filtered))
    assert "This post was hidden by a moderator." in page
    assert "Ann's rights answer." not in page


def test_an_edited_tag_shows_at_once(app, world, client_for):
    ann, ben = client_for(world.ann), client_for(world.ben)
    reply(ann, world, world.thread, "Tagged answer.", lenses=["rights"])
    post = only_post(app, world.thread.id, world.ann.id)
    url = thread_url(world, world.thread)
    for _ in range(2):  # the second view comes from the fragment cache
        assert "Rights and duties</a>" in article(page_text(ben.get(url)), post.id)

    edit = f"/groups/{world.gid}/posts/{post.id}/edit"
    form = page_text(ann.get(edit))
    assert 'value="rights" checked' in form
    # Only the tags change: the text is the same.
    assert post_form(ann, edit, edit, {"body": "Tagged answer.", "lenses": ["care"],
                                       "submit": "Save changes"}).status_code == 302
    shown = article(page_text(ben.get(url)), post.id)
    assert "Care</a>" in shown and "Rights and duties</a>" not in shown
    assert tags_of(app, post.id) == {("lens", "care")}
    # Unticking every tag removes them all, and that shows too.
    assert post_form(ann, edit, edit, {"body": "Tagged answer.",
                                       "submit": "Save changes"}).status_code == 302
    assert "Care</a>" not in article(page_text(ben.get(url)), post.id)
    assert tags_of(app, post.id) == set()


def test_a_new_thread_can_be_tagged(app, world, client_for):
    with db(app) as session:
        session.get(Discussion, world.discussion.id).allow_member_threads = True
        session.commit()
    ann = client_for(world.ann)
    new = f"/groups/{world.gid}/discussions/{world.discussion.id}/threads/new"
    response = post_form(ann, new, new, {"title": "Care for families", "body": "A view.",
                                         "lenses": ["care"], "submission_key": "k1",
                                         "submit": "Start thread"})
    assert response.status_code == 302
    with db(app) as session:
        post = session.query(Post).filter_by(author_id=world.ann.id).one()
    assert tags_of(app, post.id) == {("lens", "care")}


def test_coverage_counts_published_posts_and_names_what_is_untouched(app, world, client_for):
    ann, ben, fac = client_for(world.ann), client_for(world.ben), client_for(world.fac)
    reply(ann, world, world.thread, "Rights first.", lenses=["rights"],
          stakeholders=[EXPOSED])
    reply(ben, world, world.thread, "Rights again.", lenses=["rights", "care"])
    view = f"/groups/{world.gid}/discussions/{world.discussion.id}"
    page = page_text(fac.get(view))
    assert "Coverage" in page
    assert ("Not yet argued:</strong> Consequences, Justice and fairness, Virtue, "
            "Common good, College of Policing Code of Ethics, National Decision Model.") in page
    assert count_in(page, "Rights and duties") == 2
    assert count_in(page, "Care") == 1
    assert "No post yet about:</strong> Children at risk of online grooming" in page

    # A hidden post no longer counts.
    post = only_post(app, world.thread.id, world.ben.id)
    assert post_form(client_for(world.mod), ANY_PAGE,
                     f"/groups/{world.gid}/posts/{post.id}/hide",
                     {"reason": "Off topic"}).status_code == 302
    page = page_text(fac.get(view))
    assert count_in(page, "Rights and duties") == 1
    assert "Not yet argued:</strong> Consequences, Justice and fairness, Virtue, Care," in page

    # Moderators see it; participants do not (policy.may_see_coverage says why).
    assert 'id="coverage-heading"' in page_text(client_for(world.mod).get(view))
    assert 'id="coverage-heading"' not in page_text(ann.get(view))


def test_coverage_of_another_groups_discussion_is_not_found(app, world, client_for):
    response = client_for(world.ann).get(
        f"/groups/{world.other_group.id}/discussions/{world.other_discussion.id}")
    assert response.status_code == 404
    with db(app) as session:
        make_discussion(session, world.other_group, world.out)
    response = client_for(world.out).get(thread_url(world, world.thread, tag="lens:rights"))
    assert response.status_code == 404
