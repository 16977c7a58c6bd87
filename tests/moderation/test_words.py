"""Watched words: managing the list, and what each action does to a post."""

import pytest
from sqlalchemy import select

from casebook.discussion.models import PENDING, PUBLISHED, Post
from casebook.discussion.service import PostRefused
from casebook.moderation import service
from casebook.moderation.models import ModerationAction, WatchedWord
from tests.conftest import ANY_PAGE, post_form
from tests.factories import post
from tests.moderation.conftest import refresh


def _words(session, gid):
    refresh(session)
    return [(w.phrase, w.action) for w in session.scalars(
        select(WatchedWord).where(WatchedWord.group_id == gid).order_by(WatchedWord.phrase))]


def test_facilitators_and_moderators_add_and_remove_words(session, world, client_for):
    url = f"/groups/{world.gid}/moderation/words"
    mod = client_for(world.mod)
    page = mod.get(url).get_data(as_text=True)
    assert "This group watches no words yet." in page
    assert '<label for="phrase">Word or phrase</label>' in page
    assert "<legend>What happens</legend>" in page

    response = post_form(mod, url, url, {"phrase": "  Jane   Hartley ", "action": "block"})
    assert response.status_code == 302
    post_form(client_for(world.fac), url, url, {"phrase": "Ridgeway", "action": "flag"})
    assert _words(session, world.gid) == [("Jane Hartley", "block"), ("Ridgeway", "flag")]
    page = mod.get(url).get_data(as_text=True)
    assert "Jane Hartley" in page and "Block: refuse the post" in page

    word_id = session.scalar(select(WatchedWord.id).where(WatchedWord.phrase == "Ridgeway"))
    post_form(mod, url, f"/groups/{world.gid}/moderation/words/{word_id}/delete")
    assert _words(session, world.gid) == [("Jane Hartley", "block")]
    refresh(session)
    log = [(e.action, e.actor_id, e.details.get("phrase")) for e in session.scalars(
        select(ModerationAction).order_by(ModerationAction.id))]
    assert log == [("added watched word", world.mod.id, "Jane Hartley"),
                   ("added watched word", world.fac.id, "Ridgeway"),
                   ("removed watched word", world.mod.id, "Ridgeway")]


def test_a_phrase_is_watched_once_whatever_its_case(session, world, client_for):
    url = f"/groups/{world.gid}/moderation/words"
    mod = client_for(world.mod)
    post_form(mod, url, url, {"phrase": "Zoë", "action": "hold"})
    response = post_form(mod, url, url, {"phrase": " ZOË ", "action": "block"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<p class="error-message" id="phrase-error">Already watched</p>' in html
    assert _words(session, world.gid) == [("Zoë", "hold")]


@pytest.mark.parametrize(("data", "message"), [
    ({"phrase": "", "action": "hold"}, "Enter a word or phrase."),
    ({"phrase": "x", "action": "hold"}, "Use between 2 and 200 characters."),
    ({"phrase": "y" * 201, "action": "hold"}, "Use between 2 and 200 characters."),
    ({"phrase": "Smith", "action": ""}, "Choose what happens."),
    ({"phrase": "Smith", "action": "delete"}, "Not a valid choice"),
])
def test_the_add_form_explains_each_problem_next_to_its_field(
        session, world, client_for, data, message):
    url = f"/groups/{world.gid}/moderation/words"
    response = post_form(client_for(world.mod), url, url, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _words(session, world.gid) == []


def test_a_block_word_refuses_the_post_naming_the_phrase(session, world):
    service.add_word(session, world.group, world.fac, "Jane Hartley", "block")
    with pytest.raises(PostRefused, match="Jane Hartley"):
        post(session, world.thread, world.ann, "I think jane\nhartley lied.")
    refresh(session)
    assert session.scalar(select(Post)) is None
    # Not a whole-word match: allowed.
    assert post(session, world.thread, world.ann, "Jane Hartleyson agreed.").status == PUBLISHED


def test_a_block_word_is_refused_in_the_reply_form_keeping_the_text(session, world, client_for):
    service.add_word(session, world.group, world.fac, "Hartley", "block")
    ann = client_for(world.ann)
    url = f"/groups/{world.gid}/threads/{world.thread.id}"
    response = post_form(ann, url, f"{url}/posts", {"body": "Hartley knew.", "submission_key": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "does not allow “Hartley”" in html
    assert "Hartley knew.</textarea>" in html


def test_a_hold_word_queues_the_post_with_the_reason(session, world, client_for):
    service.add_word(session, world.group, world.fac, "Ridgeway", "hold")
    held = post(session, world.thread, world.ann, "At Ridgeway school...")
    assert held.status == PENDING and held.number is None
    assert held.moderation_reason == "Held: contains the watched phrase “Ridgeway”"
    html = client_for(world.mod).get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "Waiting for approval (1)" in html
    assert "Held: contains the watched phrase “Ridgeway”" in html


def test_a_flag_word_publishes_but_lists_the_post_as_flagged(session, world, client_for):
    service.add_word(session, world.group, world.fac, "Ridgeway", "flag")
    flagged = post(session, world.thread, world.ann, "At Ridgeway school...")
    assert flagged.status == PUBLISHED and flagged.flagged
    html = client_for(world.mod).get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "Flagged posts (1)" in html and "At Ridgeway school..." in html
    assert "Waiting for approval (0)" in html


def test_block_beats_hold_beats_flag(session, world):
    for phrase, action in (("alpha", "flag"), ("beta", "hold"), ("gamma", "block")):
        service.add_word(session, world.group, world.fac, phrase, action)
    with pytest.raises(PostRefused, match="gamma"):
        post(session, world.thread, world.ann, "alpha beta gamma")
    assert post(session, world.thread, world.ann, "alpha beta").status == PENDING


def test_participants_and_admins_cannot_change_the_list(session, world, client_for):
    url = f"/groups/{world.gid}/moderation/words"
    service.add_word(session, world.group, world.fac, "Ridgeway", "flag")
    word_id = session.scalar(select(WatchedWord.id))
    ann, admin = client_for(world.ann), client_for(world.admin)
    assert ann.get(url).status_code == 403
    assert post_form(ann, ANY_PAGE, url, {"phrase": "Smith", "action": "flag"}).status_code == 403
    assert post_form(ann, ANY_PAGE, f"{url}/{word_id}/delete").status_code == 403
    # A site admin may look (read-only, for support) but not change anything.
    page = admin.get(url)
    assert page.status_code == 200 and "Ridgeway" in page.get_data(as_text=True)
    assert "Stop watching" not in page.get_data(as_text=True)
    assert post_form(admin, ANY_PAGE, url, {"phrase": "Smith", "action": "flag"}).status_code == 403
    assert post_form(admin, ANY_PAGE, f"{url}/{word_id}/delete").status_code == 403
    assert _words(session, world.gid) == [("Ridgeway", "flag")]


def test_another_groups_word_cannot_be_deleted_through_this_group(session, world, client_for):
    service.add_word(session, world.other_group, world.out, "Secret", "block")
    other_id = session.scalar(select(WatchedWord.id))
    response = post_form(client_for(world.mod), ANY_PAGE,
                         f"/groups/{world.gid}/moderation/words/{other_id}/delete")
    assert response.status_code == 404
    assert _words(session, world.other_group.id) == [("Secret", "block")]
