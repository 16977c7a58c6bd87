"""Reject, hide, restore, clear flag: what authors, peers and the log see."""

from sqlalchemy import select

from casebook.discussion.models import HIDDEN, PUBLISHED, REJECTED
from casebook.moderation.models import ModerationAction
from tests.conftest import ANY_PAGE, count_queries, post_form
from tests.factories import post
from tests.moderation.conftest import fresh_post, refresh


def _log(session, group_id):
    refresh(session)
    return list(session.scalars(
        select(ModerationAction).where(ModerationAction.group_id == group_id)
        .order_by(ModerationAction.id)
    ))


def _hold(session, world, body="Held text."):
    world.group.premoderation = "all"
    session.commit()
    return post(session, world.thread, world.ann, body)


def test_reject_needs_a_reason_and_records_it_for_the_author(session, world, client_for):
    held = _hold(session, world)
    mod = client_for(world.mod)
    url = f"/groups/{world.gid}/posts/{held.id}/reject"

    post_form(mod, ANY_PAGE, url, {"reason": "   "})
    assert fresh_post(session, held).status == "pending"
    assert "Give a reason; the author will see it." in mod.get("/").get_data(as_text=True)

    post_form(mod, ANY_PAGE, url, {"reason": "Please don't name the officer."})
    rejected = fresh_post(session, held)
    assert rejected.status == REJECTED
    assert rejected.moderation_reason == "Please don't name the officer."
    assert rejected.number is None
    [entry] = _log(session, world.gid)
    assert (entry.action, entry.actor_id, entry.reason, entry.post_id, entry.target_user_id) == (
        "rejected post", world.mod.id, "Please don't name the officer.", held.id, world.ann.id)


def test_hide_requires_a_reason_then_hides_with_it(session, world, client_for):
    p = post(session, world.thread, world.ann, "Something unfortunate.")
    mod = client_for(world.mod)
    url = f"/groups/{world.gid}/posts/{p.id}/hide"
    post_form(mod, ANY_PAGE, url, {"reason": ""})
    assert fresh_post(session, p).status == PUBLISHED
    assert _log(session, world.gid) == []

    response = post_form(mod, ANY_PAGE, url, {"reason": "Names a real person"})
    assert response.status_code == 302
    hidden = fresh_post(session, p)
    assert (hidden.status, hidden.moderation_reason, hidden.number) == (
        HIDDEN, "Names a real person", 1)
    [entry] = _log(session, world.gid)
    assert (entry.action, entry.actor_id, entry.reason, entry.target_user_id) == (
        "hid post", world.mod.id, "Names a real person", world.ann.id)
    assert entry.created_at is not None


def test_restore_puts_a_hidden_post_back_with_its_number_and_clears_the_reason(
        session, world, client_for):
    p = post(session, world.thread, world.ann, "Back soon.")
    mod = client_for(world.fac)
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/hide", {"reason": "Checking"})
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/restore")
    restored = fresh_post(session, p)
    assert (restored.status, restored.number, restored.moderation_reason) == (PUBLISHED, 1, None)
    assert [e.action for e in _log(session, world.gid)] == ["hid post", "restored post"]


def test_restoring_a_published_post_is_refused_without_a_log_entry(session, world, client_for):
    p = post(session, world.thread, world.ann, "Fine as it is.")
    post_form(client_for(world.mod), ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/restore")
    assert fresh_post(session, p).status == PUBLISHED
    assert _log(session, world.gid) == []


def test_hiding_a_pinned_post_unpins_it(session, world, client_for):
    p = post(session, world.thread, world.ann, "Pinned then hidden.")
    mod = client_for(world.mod)
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/threads/{world.thread.id}/pin",
              {"post_id": p.id})
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/hide", {"reason": "No"})
    refresh(session)
    assert world.thread.pinned_post_id is None


def test_a_flagged_post_is_listed_until_a_moderator_leaves_it_up(session, world, client_for):
    from casebook.moderation import service

    service.add_word(session, world.group, world.fac, "Hartley", "flag")
    p = post(session, world.thread, world.ann, "I think Hartley was wrong.")
    assert p.status == PUBLISHED and p.flagged
    mod = client_for(world.mod)
    html = mod.get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "Flagged posts (1)" in html and "I think Hartley was wrong." in html
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/clear-flag")
    html = mod.get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "Flagged posts (0)" in html
    assert fresh_post(session, p).status == PUBLISHED
    assert _log(session, world.gid)[-1].action == "cleared flag"


def test_the_queue_runs_the_same_number_of_queries_however_long(
        app, session, world, client_for):
    from casebook.moderation import service

    world.group.premoderation = "all"
    session.commit()
    service.add_word(session, world.group, world.fac, "Hartley", "flag")
    mod = client_for(world.mod)
    engine = app.extensions["casebook.engine"]

    def add_items(start, stop):
        for i in range(start, stop):
            post(session, world.thread, world.ann, f"Held {i}")
            post(session, world.thread, world.mod, f"Hartley {i}")
            reported = post(session, world.thread, world.fac, f"Reported {i}")
            service.report(session, reported, world.ann, "harassment", f"detail {i}")
            service.report(session, reported, world.ben, "other")

    counts = []
    for start, stop in ((0, 1), (1, 12)):
        add_items(start, stop)
        with count_queries(engine) as statements:
            html = mod.get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
        assert f"Waiting for approval ({stop})" in html
        assert f"Reported posts ({stop})" in html
        assert f"Flagged posts ({stop})" in html
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20
