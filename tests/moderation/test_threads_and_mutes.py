"""Locking, pinning and muting, through the pages and the posting rules."""

import re
from datetime import timedelta

from sqlalchemy import select

from casebook import policy
from casebook.db import utcnow
from casebook.groups.models import Membership
from casebook.moderation.models import ModerationAction
from casebook.moderation.service import MUTE_DURATIONS
from tests.conftest import ANY_PAGE, ROOT, post_form
from tests.factories import post
from tests.moderation.conftest import fresh, fresh_thread, refresh


def _actions(session):
    refresh(session)
    return [(e.action, e.actor_id, e.reason) for e in session.scalars(
        select(ModerationAction).order_by(ModerationAction.id))]


def _reply(client, world, body="Trying to post."):
    thread_url = f"/groups/{world.gid}/threads/{world.thread.id}"
    return post_form(client, thread_url, f"{thread_url}/posts",
                     {"body": body, "submission_key": ""})


def test_a_locked_thread_refuses_posts_until_unlocked(session, world, client_for):
    mod, ann = client_for(world.mod), client_for(world.ann)
    thread_url = f"/groups/{world.gid}/threads/{world.thread.id}"
    assert "Lock thread" in mod.get(thread_url).get_data(as_text=True)
    assert "Lock thread" not in ann.get(thread_url).get_data(as_text=True)

    response = post_form(mod, ANY_PAGE, f"/groups/{world.gid}/threads/{world.thread.id}/lock")
    assert response.headers["Location"] == thread_url
    assert fresh_thread(session, world.thread).locked
    assert "Unlock thread" in mod.get(thread_url).get_data(as_text=True)
    assert _reply(ann, world).status_code == 403

    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/threads/{world.thread.id}/unlock")
    assert not fresh_thread(session, world.thread).locked
    assert _reply(ann, world).status_code == 302
    assert _actions(session) == [("locked thread", world.mod.id, ""),
                                 ("unlocked thread", world.mod.id, "")]


def test_pin_takes_a_published_post_of_that_thread_only(session, world, client_for):
    p = post(session, world.thread, world.ann, "Worth reading first.")
    elsewhere = post(session, world.discussion.threads[1], world.ann, "Other thread.")
    mod = client_for(world.mod)
    pin = f"/groups/{world.gid}/threads/{world.thread.id}/pin"
    assert post_form(mod, ANY_PAGE, pin, {"post_id": elsewhere.id}).status_code == 404
    assert post_form(mod, ANY_PAGE, pin, {"post_id": 999999}).status_code == 404
    assert post_form(mod, ANY_PAGE, pin, {}).status_code == 404
    other_groups_post = post(session, world.other_thread, world.out, "Not yours.")
    assert post_form(mod, ANY_PAGE, pin, {"post_id": other_groups_post.id}).status_code == 404
    assert fresh_thread(session, world.thread).pinned_post_id is None

    assert post_form(mod, ANY_PAGE, pin, {"post_id": p.id}).status_code == 302
    assert fresh_thread(session, world.thread).pinned_post_id == p.id
    html = mod.get(f"/groups/{world.gid}/threads/{world.thread.id}").get_data(as_text=True)
    assert "Unpin post" in html

    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/threads/{world.thread.id}/unpin")
    assert fresh_thread(session, world.thread).pinned_post_id is None
    assert [a[0] for a in _actions(session)] == ["pinned post", "unpinned post"]


def test_pinning_a_hidden_post_is_refused(session, world, client_for):
    p = post(session, world.thread, world.ann, "Hidden soon.")
    mod = client_for(world.mod)
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/hide", {"reason": "x"})
    response = post_form(mod, ANY_PAGE, f"/groups/{world.gid}/threads/{world.thread.id}/pin",
                         {"post_id": p.id})
    assert response.status_code == 404


def test_mute_stops_posting_for_the_chosen_time_and_unmute_restores(
        session, world, client_for):
    mod, ann = client_for(world.mod), client_for(world.ann)
    target = world.member(world.ann)
    before = utcnow()
    response = post_form(mod, ANY_PAGE, f"/groups/{world.gid}/members/{target.id}/mute",
                         {"duration": "1d", "reason": "Cooling off"})
    assert response.status_code == 302
    muted = fresh(session, Membership, target.id)
    assert before + timedelta(days=1) <= muted.muted_until <= utcnow() + timedelta(days=1)
    assert _reply(ann, world).status_code == 403
    assert "You are muted until" in ann.get(
        f"/groups/{world.gid}/threads/{world.thread.id}").get_data(as_text=True)
    # Muting lasts until the time, not for ever.
    thread = fresh_thread(session, world.thread)
    muted = fresh(session, Membership, target.id)
    assert not policy.may_post_in(world.ann, muted, thread, now=utcnow() + timedelta(hours=23))
    assert policy.may_post_in(world.ann, muted, thread,
                              now=utcnow() + timedelta(days=1, minutes=1))

    queue = mod.get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "Muted members (1)" in queue and "Unmute Ann Example" in queue

    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/members/{target.id}/unmute")
    assert fresh(session, Membership, target.id).muted_until is None
    assert _reply(ann, world).status_code == 302
    assert _actions(session) == [("muted member", world.mod.id, "Cooling off"),
                                 ("unmuted member", world.mod.id, "")]


def test_mute_needs_a_reason_and_a_known_duration(session, world, client_for):
    mod = client_for(world.mod)
    target = world.member(world.ann)
    url = f"/groups/{world.gid}/members/{target.id}/mute"
    post_form(mod, ANY_PAGE, url, {"duration": "1d", "reason": ""})
    post_form(mod, ANY_PAGE, url, {"duration": "forever", "reason": "x"})
    assert fresh(session, Membership, target.id).muted_until is None
    assert _actions(session) == []


def test_each_duration_is_offered_in_the_queue(session, world, client_for):
    world.group.premoderation = "all"
    session.commit()
    post(session, world.thread, world.ann, "Held.")
    html = client_for(world.mod).get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    for title, _delta in MUTE_DURATIONS.values():
        assert f">{title}</option>" in html
    assert "Mute author" in html


def test_moderators_mute_participants_only_and_facilitators_anyone_but_themselves(
        session, world, client_for):
    mod, fac = client_for(world.mod), client_for(world.fac)
    fac_m, mod_m = world.member(world.fac), world.member(world.mod)
    data = {"duration": "1h", "reason": "Testing"}
    members = f"/groups/{world.gid}/members"
    assert post_form(mod, ANY_PAGE, f"{members}/{fac_m.id}/mute", data).status_code == 403
    assert post_form(mod, ANY_PAGE, f"{members}/{mod_m.id}/mute", data).status_code == 403
    assert post_form(fac, ANY_PAGE, f"{members}/{fac_m.id}/mute", data).status_code == 403
    assert post_form(fac, ANY_PAGE, f"{members}/{mod_m.id}/mute", data).status_code == 302
    assert fresh(session, Membership, mod_m.id).muted_until is not None


def test_the_members_page_offers_mute_and_unmute_to_those_allowed(session, world, client_for):
    members_url = f"/groups/{world.gid}/members"
    ann_m, fac_m = world.member(world.ann), world.member(world.fac)
    mod = client_for(world.mod)
    html = mod.get(members_url).get_data(as_text=True)
    assert f'<label for="member-{ann_m.id}-mute-reason">Reason for muting</label>' in html
    assert f"member-{fac_m.id}-mute-reason" not in html  # moderators can't mute facilitators
    # The page's durations are the service's.
    template = (ROOT / "templates/moderation/_member_controls.html").read_text()
    offered = re.findall(r'<option value="([^"]+)">([^<]+)</option>', template)
    assert offered == [(k, v[0]) for k, v in MUTE_DURATIONS.items()]

    response = post_form(mod, ANY_PAGE, f"/groups/{world.gid}/members/{ann_m.id}/mute",
                         {"duration": "1h", "reason": "Pause", "return_to": members_url})
    assert response.headers["Location"] == members_url
    html = mod.get(members_url).get_data(as_text=True)
    assert "Unmute Ann Example" in html and "Muted until" in html
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/members/{ann_m.id}/unmute",
              {"return_to": members_url})
    assert "Unmute Ann Example" not in mod.get(members_url).get_data(as_text=True)


def test_return_to_only_goes_to_this_site(session, world, client_for):
    target = world.member(world.ann)
    response = post_form(client_for(world.mod), ANY_PAGE,
                         f"/groups/{world.gid}/members/{target.id}/mute",
                         {"duration": "1h", "reason": "x", "return_to": "//evil.example/"})
    assert response.headers["Location"] == f"/groups/{world.gid}/moderation"
