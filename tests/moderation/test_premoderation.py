"""Pre-moderation holds posts for approval; approving publishes with a number."""

from casebook.discussion.models import PENDING, PUBLISHED
from tests.conftest import ANY_PAGE, post_form
from tests.factories import post
from tests.moderation.conftest import fresh_post


def _premoderate(session, group, mode, first_n=3):
    group.premoderation = mode
    group.premoderation_first_n = first_n
    session.commit()


def test_first_n_holds_a_new_members_first_posts_and_not_the_next_after_approval(
        session, world, client_for):
    _premoderate(session, world.group, "first", first_n=2)
    first = post(session, world.thread, world.ann, "My first thought.")
    second = post(session, world.thread, world.ann, "My second thought.")
    assert (first.status, second.status) == (PENDING, PENDING)
    assert first.number is None and first.moderation_reason == "Pre-moderation"

    mod = client_for(world.mod)
    for p in (first, second):
        response = post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/approve")
        assert response.status_code == 302

    first, second = fresh_post(session, first), fresh_post(session, second)
    assert (first.status, second.status) == (PUBLISHED, PUBLISHED)
    assert {first.number, second.number} == {1, 2}
    assert first.moderation_reason is None

    third = post(session, world.thread, world.ann, "Now I am trusted.")
    assert third.status == PUBLISHED and third.number == 3


def test_first_n_keeps_holding_while_earlier_posts_still_wait(session, world):
    _premoderate(session, world.group, "first", first_n=1)
    post(session, world.thread, world.ann, "One.")
    assert post(session, world.thread, world.ann, "Two.").status == PENDING


def test_all_holds_every_participant_post_but_not_moderators(session, world, client_for):
    _premoderate(session, world.group, "all")
    held = post(session, world.thread, world.ann, "Participant post.")
    assert held.status == PENDING
    post_form(client_for(world.mod), ANY_PAGE, f"/groups/{world.gid}/posts/{held.id}/approve")
    assert post(session, world.thread, world.ann, "Still held.").status == PENDING
    assert post(session, world.thread, world.mod, "Moderator post.").status == PUBLISHED
    assert post(session, world.thread, world.fac, "Facilitator post.").status == PUBLISHED


def test_off_publishes_at_once(session, world):
    assert post(session, world.thread, world.ann, "Straight in.").status == PUBLISHED


def test_the_queue_shows_a_held_post_with_thread_author_time_text_and_why(
        session, world, client_for):
    _premoderate(session, world.group, "all")
    post(session, world.thread, world.ann, "A *considered* view.")
    html = client_for(world.mod).get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "Waiting for approval (1)" in html
    assert "Ann Example (Participant" in html  # real name and pseudonym
    assert "<em>considered</em>" in html  # the rendered text
    assert "Why held:</strong> Pre-moderation" in html
    assert world.thread.title[:30] in html
    assert "<time datetime=" in html


def test_approving_logs_who_and_the_post_leaves_the_queue(session, world, client_for):
    _premoderate(session, world.group, "all")
    held = post(session, world.thread, world.ann, "Waiting.")
    mod = client_for(world.mod)
    response = post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{held.id}/approve",
                         {"return_to": f"/groups/{world.gid}/moderation"})
    assert response.headers["Location"] == f"/groups/{world.gid}/moderation"
    html = mod.get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "Post approved and published." in html
    assert "Waiting for approval (0)" in html
    assert "Nothing is waiting for a moderator." in html


def test_approving_a_post_that_is_not_pending_changes_nothing(session, world, client_for):
    published = post(session, world.thread, world.ann, "Already up.")
    mod = client_for(world.mod)
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{published.id}/approve")
    html = mod.get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "That post is not waiting for approval." in html
    assert fresh_post(session, published).number == 1
