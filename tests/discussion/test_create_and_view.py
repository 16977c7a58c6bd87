"""Starting a discussion, changing it, and the discussion page a member sees."""

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from casebook.accounts.models import User
from casebook.cases.models import STAGES
from casebook.cases.service import get_case
from casebook.discussion.models import PSEUDONYMOUS, Discussion, Thread
from casebook.groups.models import Group
from tests.conftest import db, post_form
from tests.discussion.conftest import page_text, reply, thread_url, write
from tests.factories import make_discussion


def discussion_url(w, discussion) -> str:
    return f"/groups/{w.gid}/discussions/{discussion.id}"


def test_facilitator_starts_a_discussion_with_one_thread_per_prompt_in_stage_order(
        app, world, client_for):
    fac = client_for(world.fac)
    form = page_text(fac.get(f"/groups/{world.gid}/discussions/new"))
    assert "<label for=\"case_id\">Case</label>" in form
    with db(app) as session:
        case = get_case(session, "undercover-simon")
        case_id, case_title = case.id, case.title
        expected = [p.id for stage in STAGES for p in case.prompts
                    if p.stage == stage and not p.retired]
    response = post_form(fac, f"/groups/{world.gid}/discussions/new",
                         f"/groups/{world.gid}/discussions/new",
                         {"case_id": case_id, "title": "", "identity": "pseudonymous",
                     "post_first": "y"})
    assert response.status_code == 302
    page = page_text(fac.get(response.headers["Location"]))
    assert f"<h1>{case_title}</h1>" in html.unescape(page)
    assert "is ready, with one thread per prompt" in page
    with db(app) as session:
        discussion = session.scalar(select(Discussion).where(Discussion.case_id == case_id))
        threads = session.scalars(select(Thread).where(Thread.discussion_id == discussion.id)
                                  .order_by(Thread.position)).all()
        assert [t.prompt_id for t in threads] == expected
        assert discussion.title == case_title
        assert discussion.post_first and discussion.identity == PSEUDONYMOUS
        assert not discussion.allow_member_threads
    # The page groups the threads under the stage headings, in order.
    headings = re.findall(r'<h2 id="stage-([a-z]+)">', page)
    assert headings == [s for s in STAGES if s in headings] and len(headings) == 5
    assert "Post first</dt>\n  <dd>On" in page
    assert "Pseudonymous: participants appear to each other" in page


def test_closing_before_opening_is_a_field_error_and_nothing_is_created(app, world, client_for):
    fac = client_for(world.fac)
    url = f"/groups/{world.gid}/discussions/new"
    with db(app) as session:
        case_id = get_case(session, "undercover-simon").id
    response = post_form(fac, url, url, {
        "case_id": case_id, "identity": "named",
        "opens_at": "2031-05-02T10:00", "closes_at": "2031-05-01T10:00",
    })
    assert response.status_code == 422
    page = page_text(response)
    assert re.search(r'id="closes_at-error">The closing time must be after the opening time',
                     page)
    assert 'value="2031-05-02T10:00"' in page
    with db(app) as session:
        assert session.scalar(select(Discussion).where(Discussion.case_id == case_id)) is None


def test_times_are_read_in_the_facilitators_timezone(app, world, client_for):
    with db(app) as session:
        session.get(User, world.fac.id).timezone = "America/New_York"
        session.commit()
        case_id = get_case(session, "undercover-simon").id
    fac = client_for(world.fac)
    url = f"/groups/{world.gid}/discussions/new"
    response = post_form(fac, url, url, {"case_id": case_id, "identity": "named",
                                    "opens_at": "2031-01-10T09:00",
                                    "closes_at": "2031-01-17T17:30"})
    assert response.status_code == 302
    with db(app) as session:
        discussion = session.scalar(select(Discussion).where(Discussion.case_id == case_id))
        assert discussion.opens_at == datetime(2031, 1, 10, 14, 0, tzinfo=UTC)
        assert discussion.closes_at == datetime(2031, 1, 17, 22, 30, tzinfo=UTC)
        did = discussion.id
    # The edit form shows them back in the same zone.
    edit = page_text(fac.get(f"/groups/{world.gid}/discussions/{did}/edit"))
    assert 'value="2031-01-10T09:00"' in edit
    assert 'value="2031-01-17T17:30"' in edit


def test_only_facilitators_start_or_change_discussions(world, client_for):
    new = f"/groups/{world.gid}/discussions/new"
    edit = discussion_url(world, world.discussion) + "/edit"
    for user in (world.ann, world.mod):
        assert client_for(user).get(new).status_code == 403
        assert client_for(user).get(edit).status_code == 403
    assert client_for(world.out).get(new).status_code == 404
    assert client_for(world.admin).get(new).status_code == 403
    # And no control is offered that would be refused.
    page = page_text(client_for(world.ann).get(discussion_url(world, world.discussion)))
    assert "Change settings" not in page and "transcript" not in page


def test_editing_changes_title_times_and_modes(app, world, client_for):
    fac = client_for(world.fac)
    url = discussion_url(world, world.discussion) + "/edit"
    form = page_text(fac.get(url))
    assert 'value="Online vigilantes' in form
    response = post_form(fac, url, url, {
        "title": "Week 3: vigilantes", "identity": "pseudonymous",
        "allow_member_threads": "y", "closes_at": "2040-01-01T12:00",
    })
    assert response.status_code == 302
    page = page_text(fac.get(response.headers["Location"]))
    assert "<h1>Week 3: vigilantes</h1>" in page
    assert "Open</strong> — closes" in page
    assert "Members may start their own threads." in page
    with db(app) as session:
        discussion = session.get(Discussion, world.discussion.id)
        assert discussion.pseudonymous and discussion.allow_member_threads
        assert discussion.closes_at == datetime(2040, 1, 1, 12, 0, tzinfo=UTC)


def test_scheduled_discussion_is_hidden_from_participants_but_not_from_staff(
        app, world, client_for):
    with db(app) as session:
        group = session.get(Group, world.gid)
        fac = session.get(User, world.fac.id)
        soon = datetime.now(UTC) + timedelta(days=2)
        scheduled = make_discussion(session, group, fac, "undercover-simon", opens_at=soon)
        first = scheduled.threads[0]
    for user in (world.ann, world.ben, world.out):
        assert client_for(user).get(discussion_url(world, scheduled)).status_code == 404
        assert client_for(user).get(thread_url(world, first)).status_code == 404
    page = page_text(client_for(world.fac).get(discussion_url(world, scheduled)))
    assert "<strong>Scheduled</strong> — opens" in page
    assert client_for(world.mod).get(discussion_url(world, scheduled)).status_code == 200
    assert client_for(world.admin).get(discussion_url(world, scheduled)).status_code == 200
    # Nobody posts before it opens, not even the facilitator.
    thread_page = page_text(client_for(world.fac).get(thread_url(world, first)))
    assert 'name="body"' not in thread_page
    assert "Posting starts when the discussion opens." in thread_page


def test_closed_discussion_is_read_only(app, world, client_for):
    with db(app) as session:
        write(session, world.thread.id, world.ann, "Said before it closed.")
        discussion = session.get(Discussion, world.discussion.id)
        discussion.closes_at = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
    ann = client_for(world.ann)
    page = page_text(ann.get(discussion_url(world, world.discussion)))
    assert "<strong>Closed</strong> — read-only" in page
    thread = page_text(ann.get(thread_url(world, world.thread)))
    assert "Said before it closed." in thread
    assert 'name="body"' not in thread and "Reply<" not in thread
    assert "The discussion is closed, so there is no reply form." in thread
    response = post_form(ann, thread_url(world, world.thread),
                         f"/groups/{world.gid}/threads/{world.thread.id}/posts",
                         {"body": "Too late", "submit": "Post"})
    assert response.status_code == 403
    with db(app) as session:
        assert session.get(Thread, world.thread.id).last_number == 1


def test_discussion_page_shows_counts_links_and_exports(app, world, client_for):
    with db(app) as session:
        write(session, world.thread.id, world.ann, "One")
        write(session, world.thread.id, world.ben, "Two")
    fac = page_text(client_for(world.fac).get(discussion_url(world, world.discussion)))
    # "Read the case" stays inside the group.
    assert f'href="/groups/{world.gid}/discussions/{world.discussion.id}/case">Read the case' in fac
    assert "Content note:</strong> This case discusses" in fac
    assert "2 posts" in fac
    for name in ("transcript.md", "transcript.csv", "participation.csv"):
        assert f"/discussions/{world.discussion.id}/{name}" in fac
    ann = page_text(client_for(world.ann).get(discussion_url(world, world.discussion)))
    assert "New thread" not in ann  # the discussion does not allow member threads
    assert "transcript" not in ann


def test_discussion_page_counts_only_posts_still_published(app, world, client_for):
    from casebook.discussion.models import HIDDEN, PENDING, REMOVED

    with db(app) as session:
        posts = [write(session, world.thread.id, world.ann, f"Answer {n}") for n in range(5)]
        # Hidden by a moderator, removed by its author, and back to pending
        # after an edit: numbered once, no longer counted.
        for post, status in zip(posts, (HIDDEN, REMOVED, PENDING), strict=False):
            post.status = status
        session.commit()
    page = page_text(client_for(world.fac).get(discussion_url(world, world.discussion)))
    assert '<span class="badge">2 posts</span>' in page


def test_posting_through_the_form_shows_on_the_discussion_page(world, client_for):
    ann = client_for(world.ann)
    assert reply(ann, world, world.thread, "A first answer").status_code == 302
    page = page_text(client_for(world.ben).get(discussion_url(world, world.discussion)))
    assert ('<span class="badge">1 post</span> <span class="badge badge-alert">1 unread</span>'
            in page)
