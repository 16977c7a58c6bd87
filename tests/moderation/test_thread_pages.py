"""What people see on the discussion's thread page after moderators act, and the
moderation controls the shared partials put there."""

from tests.conftest import ANY_PAGE, post_form
from tests.factories import post
from tests.moderation.conftest import fresh_post


def _thread(client, world) -> str:
    response = client.get(f"/groups/{world.gid}/threads/{world.thread.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_hidden_post_shows_a_placeholder_to_peers_and_the_reason_to_its_author(
        session, world, client_for):
    p = post(session, world.thread, world.ann, "The teacher was Mrs Example.")
    response = post_form(client_for(world.mod), f"/groups/{world.gid}/threads/{world.thread.id}",
                         f"/groups/{world.gid}/posts/{p.id}/hide",
                         {"reason": "Names a real person"})
    assert response.headers["Location"] == f"/groups/{world.gid}/posts/{p.id}"

    peer = _thread(client_for(world.ben), world)
    assert "This post was hidden by a moderator." in peer
    assert "Mrs Example" not in peer and "Names a real person" not in peer

    author = _thread(client_for(world.ann), world)
    assert "Hidden by a moderator: Names a real person" in author
    assert "Mrs Example" in author

    post_form(client_for(world.mod), ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/restore")
    peer = _thread(client_for(world.ben), world)
    assert "Mrs Example" in peer and "hidden by a moderator" not in peer


def test_a_rejected_post_and_its_reason_are_for_its_author_only(session, world, client_for):
    world.group.premoderation = "all"
    session.commit()
    p = post(session, world.thread, world.ann, "Draft thoughts.")
    post_form(client_for(world.mod), ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/reject",
              {"reason": "Please keep to the prompt."})
    author = _thread(client_for(world.ann), world)
    assert "Not approved: Please keep to the prompt." in author
    peer = _thread(client_for(world.ben), world)
    assert "Draft thoughts." not in peer and "Please keep to the prompt." not in peer


def test_a_pending_post_is_hidden_from_peers_until_approved(session, world, client_for):
    world.group.premoderation = "first"
    session.commit()
    p = post(session, world.thread, world.ann, "My very first post.")
    assert "My very first post." not in _thread(client_for(world.ben), world)
    mod_view = _thread(client_for(world.mod), world)
    assert "My very first post." in mod_view
    assert f'action="/groups/{world.gid}/posts/{p.id}/approve"' in mod_view
    post_form(client_for(world.mod), ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/approve")
    assert fresh_post(session, p).number == 1
    assert "My very first post." in _thread(client_for(world.ben), world)


def test_moderators_get_labelled_hide_and_pin_controls_members_a_report_link(
        session, world, client_for):
    p = post(session, world.thread, world.ann, "Published.")
    mod_view = _thread(client_for(world.mod), world)
    assert f'<label for="post-{p.id}-hide-reason">Reason for hiding</label>' in mod_view
    assert f'id="post-{p.id}-hide-reason" name="reason" required' in mod_view
    assert "<summary>Hide…</summary>" in mod_view
    assert f'name="post_id" value="{p.id}"' in mod_view
    assert "Lock thread" in mod_view

    peer_view = _thread(client_for(world.ben), world)
    assert f'href="/groups/{world.gid}/posts/{p.id}/report"' in peer_view
    assert "Hide…" not in peer_view and "Lock thread" not in peer_view

    author_view = _thread(client_for(world.ann), world)
    assert f"/posts/{p.id}/report" not in author_view  # not one's own post


def test_a_hidden_post_offers_moderators_restore(session, world, client_for):
    p = post(session, world.thread, world.ann, "Hide me.")
    post_form(client_for(world.mod), ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/hide",
              {"reason": "x"})
    mod_view = _thread(client_for(world.mod), world)
    assert f'action="/groups/{world.gid}/posts/{p.id}/restore"' in mod_view
    assert f"/posts/{p.id}/report" not in _thread(client_for(world.ben), world)
