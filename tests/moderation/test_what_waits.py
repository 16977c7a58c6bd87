"""What waits for moderators shows on the links to the queue, and participants
are told before they post when their posts will be held."""

import re

from casebook.moderation import service, waiting
from casebook.moderation.models import Report
from tests.conftest import ANY_PAGE, count_queries, post_form
from tests.factories import post
from tests.moderation.conftest import refresh


def _badges(html: str) -> tuple[str, str]:
    queue = re.search(r'>Queue <span class="badge[^"]*">([^<]*)</span>', html)
    reports = re.search(r'>Reports <span class="badge[^"]*">([^<]*)</span>', html)
    assert queue and reports, "no queue badges"
    return queue.group(1), reports.group(1)


def test_badges_show_held_posts_and_open_reports(session, world, client_for):
    mod = client_for(world.mod)
    overview = f"/groups/{world.gid}"
    assert _badges(mod.get(overview).get_data(as_text=True)) == ("0 waiting", "0 open")

    world.group.premoderation = "all"
    session.commit()
    post(session, world.thread, world.ann, "Held for approval.")
    world.group.premoderation = "off"
    session.commit()
    shown = post(session, world.thread, world.ben, "Published.")
    post_form(client_for(world.ann), ANY_PAGE, f"/groups/{world.gid}/posts/{shown.id}/report",
              {"reason": "other"})
    post_form(client_for(world.fac), ANY_PAGE, f"/groups/{world.gid}/posts/{shown.id}/report",
              {"reason": "graphic"})
    for url in (overview, f"/groups/{world.gid}/moderation",
                f"/groups/{world.gid}/moderation/words", f"/groups/{world.gid}/moderation/log"):
        html = mod.get(url).get_data(as_text=True)
        assert _badges(html) == ("1 waiting", "2 open"), url
        assert '<span class="badge badge-alert">1 waiting</span>' in html

    # Dismissing the reports empties that badge; participants never see either.
    refresh(session)
    first = session.query(Report).first()
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/reports/{first.id}/dismiss")
    assert _badges(mod.get(overview).get_data(as_text=True)) == ("1 waiting", "0 open")
    assert "waiting</span>" not in client_for(world.ann).get(overview).get_data(as_text=True)


def test_queue_counts_cost_one_query_and_count_only_this_group(app, session, world):
    world.group.premoderation = "all"
    session.commit()
    for n in range(5):
        post(session, world.thread, world.ben, f"Held {n}.")
    other = post(session, world.other_thread, world.out, "Other group's post.")
    service.report(session, other, world.admin, "other")
    with count_queries(app.extensions["casebook.engine"]) as statements:
        counts = waiting.queue_counts(session, world.group)
    assert (counts.waiting, counts.reports) == (5, 0)
    assert len(statements) == 1


def test_participants_are_told_before_posting_when_posts_are_held(session, world, client_for):
    thread = f"/groups/{world.gid}/threads/{world.thread.id}"
    ann = client_for(world.ann)
    assert "hold-notice" not in ann.get(thread).get_data(as_text=True)

    world.group.premoderation = "all"
    session.commit()
    assert ("Every participant's post in this group waits for a moderator's approval"
            in ann.get(thread).get_data(as_text=True))
    # Facilitators and moderators are never held, so they are not told so.
    assert "hold-notice" not in client_for(world.mod).get(thread).get_data(as_text=True)

    world.group.premoderation, world.group.premoderation_first_n = "first", 2
    session.commit()
    assert "until 2 more of them have been approved" in ann.get(thread).get_data(as_text=True)
    post(session, world.thread, world.ann, "Held, then approved.")
    refresh(session)
    [held] = waiting.queue(session, world.group).pending
    service.approve(session, held, world.mod)
    assert "until 1 more of them has been approved" in ann.get(thread).get_data(as_text=True)
    post(session, world.thread, world.ann, "Second.")
    refresh(session)
    [held] = waiting.queue(session, world.group).pending
    service.approve(session, held, world.mod)
    assert "hold-notice" not in ann.get(thread).get_data(as_text=True)


def test_the_first_n_setting_says_what_counts(world, client_for):
    html = client_for(world.fac).get(f"/groups/{world.gid}/settings").get_data(as_text=True)
    html = html.replace("&#39;", "'")
    assert ("each participant's posts in this group wait for a moderator's approval until "
            "this many of them (1 to 50) have been approved. Rejected or hidden posts don't "
            "count towards the number.") in html
