"""Members report posts; moderators see the reports and dismiss or act on them."""

import pytest
from sqlalchemy import select

from casebook.moderation.models import ModerationAction, Report
from tests.conftest import ANY_PAGE, post_form
from tests.factories import post
from tests.moderation.conftest import fresh, refresh


def _reports(session, post_id):
    refresh(session)
    return list(session.scalars(select(Report).where(Report.post_id == post_id)))


def test_the_report_form_offers_the_reasons_and_details(session, world, client_for):
    p = post(session, world.thread, world.ben, "A post.")
    html = client_for(world.ann).get(f"/groups/{world.gid}/posts/{p.id}/report").get_data(
        as_text=True)
    for title in ("Identifies a real person", "Harassment", "Graphic detail", "Off-topic",
                  "Other"):
        assert title in html
    assert '<label for="detail">Details</label>' in html
    assert "<legend>Why are you reporting this post?</legend>" in html


def test_a_member_reports_a_post_and_is_thanked_back_at_the_post(session, world, client_for):
    p = post(session, world.thread, world.ben, "Names someone.")
    ann = client_for(world.ann)
    response = post_form(ann, ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/report",
                         {"reason": "identifies", "detail": "Second paragraph."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/groups/{world.gid}/posts/{p.id}")
    page = ann.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Thanks. A moderator will look at this post." in page
    [report] = _reports(session, p.id)
    assert (report.reason, report.detail, report.reporter_id) == (
        "identifies", "Second paragraph.", world.ann.id)
    # Reports are not moderators' decisions, so they are not logged.
    assert session.scalar(select(ModerationAction)) is None


def test_a_report_needs_a_reason_and_details_of_at_most_1000_characters(
        session, world, client_for):
    p = post(session, world.thread, world.ben, "A post.")
    ann = client_for(world.ann)
    url = f"/groups/{world.gid}/posts/{p.id}/report"
    response = post_form(ann, ANY_PAGE, url, {"detail": "no reason"})
    assert response.status_code == 422
    assert "Choose a reason." in response.get_data(as_text=True)
    response = post_form(ann, ANY_PAGE, url, {"reason": "other", "detail": "x" * 1001})
    assert response.status_code == 422
    assert "Keep it to 1,000 characters or fewer." in response.get_data(as_text=True)
    assert _reports(session, p.id) == []


def test_a_member_cannot_report_the_same_post_twice(session, world, client_for):
    p = post(session, world.thread, world.ben, "A post.")
    ann = client_for(world.ann)
    url = f"/groups/{world.gid}/posts/{p.id}/report"
    assert post_form(ann, ANY_PAGE, url, {"reason": "off-topic"}).status_code == 302
    # The report page now says when, and offers no form.
    html = ann.get(url).get_data(as_text=True)
    [report] = _reports(session, p.id)
    assert f"You reported this post on <time datetime=\"{report.created_at:%Y-%m-%d}" in html
    assert "Send report" not in html
    # A second report is refused with the same message; the first stays as it was.
    response = post_form(ann, ANY_PAGE, url, {"reason": "harassment", "detail": "Again."})
    assert response.status_code == 409
    assert "You reported this post on" in response.get_data(as_text=True)
    [report] = _reports(session, p.id)
    assert (report.reason, report.detail) == ("off-topic", "")
    # The thread marks the post as reported by this member, and only for them.
    thread = f"/groups/{world.gid}/threads/{world.thread.id}"
    assert "You reported this" in ann.get(thread).get_data(as_text=True)
    fay = client_for(world.fac).get(thread).get_data(as_text=True)
    assert "You reported this" not in fay and f"/posts/{p.id}/report" in fay


def test_a_report_sent_twice_at_once_is_stored_once(session, world, monkeypatch):
    from casebook.accounts.models import User
    from casebook.moderation import service

    p = post(session, world.thread, world.ben, "A post.")
    ann = session.get(User, world.ann.id)
    service.report(session, p, ann, "other")
    # The second request checked before the first committed: the unique
    # (post, reporter) pair refuses it.
    monkeypatch.setattr(service, "report_by", lambda *args: None)
    with pytest.raises(service.AlreadyReported):
        service.report(session, p, ann, "harassment")
    monkeypatch.undo()
    assert [r.reason for r in _reports(session, p.id)] == ["other"]


def test_members_cannot_report_their_own_or_unpublished_posts(session, world, client_for):
    own = post(session, world.thread, world.ann, "Mine.")
    ann = client_for(world.ann)
    assert ann.get(f"/groups/{world.gid}/posts/{own.id}/report").status_code == 403
    assert post_form(ann, ANY_PAGE, f"/groups/{world.gid}/posts/{own.id}/report",
                     {"reason": "other"}).status_code == 403
    world.group.premoderation = "all"
    from tests.factories import post as make_post
    session.commit()
    held = make_post(session, world.thread, world.ben, "Held, unseen by Ann.")
    # Ann cannot see Ben's held post at all: it does not exist for her.
    assert ann.get(f"/groups/{world.gid}/posts/{held.id}/report").status_code == 404


def test_reports_show_in_the_queue_grouped_by_post_with_reporters_names(
        session, world, client_for):
    p = post(session, world.thread, world.ben, "Reported twice.")
    post_form(client_for(world.ann), ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/report",
              {"reason": "identifies", "detail": "Names the teacher."})
    post_form(client_for(world.fac), ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/report",
              {"reason": "graphic"})
    html = client_for(world.mod).get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "Reported posts (1)" in html
    assert "reported 2 times" in html
    assert "Identifies a real person" in html and "Graphic detail" in html
    assert "Names the teacher." in html
    assert "reported by Ann Example" in html and "reported by Fay Facilitator" in html


def test_dismissing_closes_all_of_a_posts_reports_and_logs_once(session, world, client_for):
    p = post(session, world.thread, world.ben, "Fine really.")
    report = f"/groups/{world.gid}/posts/{p.id}/report"
    post_form(client_for(world.ann), ANY_PAGE, report, {"reason": "other"})
    post_form(client_for(world.fac), ANY_PAGE, report, {"reason": "off-topic"})
    first = _reports(session, p.id)[0]
    mod = client_for(world.mod)
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/reports/{first.id}/dismiss")
    reports = _reports(session, p.id)
    assert all(r.resolved_at is not None and r.resolved_by_id == world.mod.id for r in reports)
    html = mod.get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "2 reports dismissed." in html
    assert "Reported posts (0)" in html
    entries = list(session.scalars(select(ModerationAction)))
    assert [(e.action, e.actor_id, e.post_id) for e in entries] == [
        ("dismissed report", world.mod.id, p.id)]
    # A member whose report was dismissed cannot send it again.
    assert post_form(client_for(world.ann), ANY_PAGE, report,
                     {"reason": "harassment"}).status_code == 409
    assert "Reported posts (0)" in mod.get(
        f"/groups/{world.gid}/moderation").get_data(as_text=True)


def test_hiding_a_reported_post_settles_its_reports(session, world, client_for):
    p = post(session, world.thread, world.ben, "Bad.")
    url = f"/groups/{world.gid}/posts/{p.id}"
    post_form(client_for(world.ann), ANY_PAGE, f"{url}/report", {"reason": "other"})
    post_form(client_for(world.mod), ANY_PAGE, f"{url}/hide", {"reason": "Off"})
    [report] = _reports(session, p.id)
    assert report.resolved_by_id == world.mod.id
    assert fresh(session, type(p), p.id).status == "hidden"


def test_reporter_names_are_for_moderators_only(session, world, client_for):
    p = post(session, world.thread, world.ben, "Reported.")
    post_form(client_for(world.ann), ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/report",
              {"reason": "other"})
    thread_page = client_for(world.ben).get(
        f"/groups/{world.gid}/threads/{world.thread.id}").get_data(as_text=True)
    assert "Ann Example" not in thread_page
    assert client_for(world.ben).get(f"/groups/{world.gid}/moderation").status_code == 403
