"""What a member finds on the search page: their groups' posts with every word,
highlighted, linked to the post; never what the thread page would not show."""

from sqlalchemy import select

from casebook.accounts.models import User
from casebook.accounts.service import erase_account
from casebook.discussion.models import HIDDEN, PSEUDONYMOUS, Discussion, Post
from casebook.groups.models import REMOVE_POSTS, Group
from casebook.groups.models import REMOVED as REMOVED_MEMBER
from casebook.groups.service import membership_of
from casebook.search.index import matching
from casebook.search.service import RESULTS_PER_PAGE
from tests.conftest import db, post_form
from tests.discussion.conftest import page_text, reply, write
from tests.search.conftest import search


def test_a_member_finds_a_post_by_its_words_highlighted_and_linked(app, world, client_for):
    with db(app) as session:
        found = write(session, world.thread.id, world.ben,
                      "The **vigilante** group filmed the meeting <b>openly</b>.").id
        write(session, world.thread.id, world.ben, "Nothing relevant here.")
    page = search(client_for(world.ann), "Vigilante filmed")
    assert page.status_code == 200
    html = page_text(page)
    assert "1 post matching" in html
    assert "<mark>vigilante</mark> group <mark>filmed</mark> the meeting" in html
    # The post's own markup is text in the snippet, never HTML.
    assert "&lt;b&gt;openly&lt;/b&gt;" in html
    assert f'/groups/{world.gid}/posts/{found}"' in html
    assert "Ben Other" in html and "Ethics seminar" in html
    assert "Nothing relevant" not in html


def test_every_word_must_be_in_the_post_and_whole_words_match(app, world, client_for):
    with db(app) as session:
        write(session, world.thread.id, world.ben, "Undercover officers posed as children.")
    ann = client_for(world.ann)
    assert "1 post matching" in page_text(search(ann, "UNDERCOVER children"))
    assert "0 posts matching" in page_text(search(ann, "undercover vigilantes"))
    assert "0 posts matching" in page_text(search(ann, "undercov"))


def test_other_groups_hidden_and_held_posts_are_never_found(app, world, client_for):
    with db(app) as session:
        write(session, world.other_thread.id, world.out, "Elsewhere safeguarding words")
        hidden = write(session, world.thread.id, world.ben, "Hidden safeguarding words")
        hidden.status = HIDDEN
        write(session, world.thread.id, world.ben, "Published safeguarding words")
        session.commit()
    for viewer in (world.ann, world.mod, world.fac):
        html = page_text(search(client_for(viewer), "safeguarding"))
        assert "Published <mark>safeguarding</mark>" in html
        assert "Hidden" not in html and "Elsewhere" not in html


def test_post_first_hides_peers_answers_until_the_member_answers(app, world, client_for):
    with db(app) as session:
        session.get(Discussion, world.discussion.id).post_first = True
        session.commit()
        write(session, world.thread.id, world.ben, "Ben's answer about proportionality")
    ann = client_for(world.ann)
    assert "0 posts matching" in page_text(search(ann, "proportionality"))
    # Moderators see every answer, as on the thread page.
    assert "1 post matching" in page_text(search(client_for(world.mod), "proportionality"))
    assert reply(ann, world, world.thread, "My own view").status_code == 302
    assert "1 post matching" in page_text(search(ann, "proportionality"))


def test_a_removed_member_finds_nothing_of_the_group(app, world, client_for):
    with db(app) as session:
        write(session, world.thread.id, world.ben, "Words about consent")
        membership_of(session, world.gid, world.ann).status = REMOVED_MEMBER
        session.commit()
    assert "0 posts matching" in page_text(search(client_for(world.ann), "consent"))


def test_edits_and_deletions_reach_the_index(app, world, client_for):
    with db(app) as session:
        post = write(session, world.thread.id, world.ben, "First wording")
        post_id = post.id
    ben = client_for(world.ben)
    edit_url = f"/groups/{world.gid}/posts/{post_id}/edit"
    assert post_form(ben, edit_url, edit_url, {"body": "Second wording", "submit": "Save changes"}
                     ).status_code == 302
    assert "0 posts matching" in page_text(search(ben, "first"))
    assert "1 post matching" in page_text(search(ben, "second"))
    with db(app) as session:
        session.delete(session.get(Post, post_id))
        session.commit()
    assert "0 posts matching" in page_text(search(ben, "second"))


def test_one_group_can_be_chosen_and_a_group_not_the_members_is_refused(app, world, client_for):
    with db(app) as session:
        write(session, world.other_thread.id, world.out, "Oscar on duty of care")
    oscar = client_for(world.out)
    assert "1 post matching" in page_text(search(oscar, "duty", group=str(world.other_group.id)))
    refused = search(client_for(world.ann), "duty", group=str(world.other_group.id))
    assert refused.status_code == 422
    assert "Oscar on duty" not in page_text(refused)


def test_results_are_paginated(app, world, client_for):
    with db(app) as session:
        for n in range(RESULTS_PER_PAGE + 3):
            write(session, world.thread.id, world.ben, f"Repeated theme number {n}")
    ann = client_for(world.ann)
    first = page_text(search(ann, "repeated"))
    assert f"{RESULTS_PER_PAGE + 3} posts matching" in first
    assert first.count("<mark>Repeated</mark>") == RESULTS_PER_PAGE
    second = page_text(search(ann, "repeated", page="2"))
    assert second.count("<mark>Repeated</mark>") == 3


def test_signed_out_visitors_are_sent_to_sign_in(app, world, client_for):
    response = search(client_for(None), "anything")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_deleting_an_account_that_takes_its_posts_along_empties_their_words(app, world):
    with db(app) as session:
        write(session, world.thread.id, world.ben, "Words that must go")
    with db(app) as session:
        session.get(Group, world.gid).deleted_member_posts = REMOVE_POSTS
        session.commit()
        erase_account(session, session.get(User, world.ben.id))
    with db(app) as session:
        assert session.scalars(select(Post.search_text)).all() == [""]
        dialect = session.get_bind().dialect.name
        assert session.scalars(select(Post.id).where(
            matching(dialect, Post, ["words"]))).all() == []


def test_pseudonymous_discussions_name_authors_by_pseudonym_to_peers(app, world, client_for):
    with db(app) as session:
        session.get(Discussion, world.discussion.id).identity = PSEUDONYMOUS
        session.commit()
        write(session, world.thread.id, world.ben, "Ben writes about accountability")
        pseudonym = membership_of(session, world.gid, world.ben).pseudonym
    peer = page_text(search(client_for(world.ann), "accountability"))
    assert pseudonym in peer and "Ben Other" not in peer
    moderator = page_text(search(client_for(world.mod), "accountability"))
    assert f"{pseudonym} (Ben Other)" in moderator


def test_the_group_page_offers_a_search_of_that_group(app, world, client_for):
    ann = client_for(world.ann)
    overview = page_text(ann.get(f"/groups/{world.gid}"))
    assert f'href="/search?group={world.gid}">Search this group</a>' in overview
    form = page_text(ann.get(f"/search?group={world.gid}"))
    assert f'<option selected value="{world.gid}">Ethics seminar</option>' in form
