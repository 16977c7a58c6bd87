"""The case beside each prompt, moving between prompts, the content note once
per discussion, and each member's progress on the discussion page."""

import re

from casebook.accounts.models import User
from casebook.cases.models import Case
from casebook.cases.service import key_facts_html
from casebook.discussion.models import ContentNoteAck, Discussion, Thread
from casebook.discussion.thread_reading import has_acknowledged_note
from tests.conftest import ANY_PAGE, count_queries, db, post_form
from tests.discussion.conftest import page_text, reply, thread_url, write
from tests.factories import add_member, make_user


def _threads(app, world) -> list[Thread]:
    with db(app) as session:
        threads = session.get(Discussion, world.discussion.id).threads
        for t in threads:
            _ = t.prompt
        session.expunge_all()
        return threads


def _case_url(world) -> str:
    return f"/groups/{world.gid}/discussions/{world.discussion.id}/case"


def _acknowledge(client, world, next_url: str | None = None):
    data = {"next": next_url} if next_url is not None else {}
    return post_form(client, ANY_PAGE, _case_url(world) + "/note", data)


def test_the_thread_shows_its_stage_and_lens_as_chips(app, world, client_for):
    threads = _threads(app, world)
    ann = client_for(world.ann)
    first = page_text(ann.get(thread_url(world, threads[0])))
    assert ('<span class="chip chip-stage"><span class="visually-hidden">Stage: </span>'
            'Understand the case</span>') in first
    assert "chip-lens" not in first
    lens = next(t for t in threads if t.prompt.lens)
    html = page_text(ann.get(thread_url(world, lens)))
    assert f'<span class="visually-hidden">Lens: </span>{lens.prompt.lens_title}</span>' in html


def test_previous_and_next_prompt_follow_stage_order(app, world, client_for):
    threads = _threads(app, world)
    ann = client_for(world.ann)

    def links(thread):
        html = page_text(ann.get(thread_url(world, thread)))
        return (re.findall(r'href="/groups/\d+/threads/(\d+)">Previous prompt: ', html),
                re.findall(r'href="/groups/\d+/threads/(\d+)">Next prompt: ', html))

    assert links(threads[0]) == ([], [str(threads[1].id)])
    assert links(threads[2]) == ([str(threads[1].id)], [str(threads[3].id)])
    assert links(threads[-1]) == ([str(threads[-2].id)], [])
    stages = [t.prompt.stage for t in threads]
    assert stages == sorted(stages, key=["understand", "stakeholders", "lenses", "decide",
                                         "reflect"].index)


def test_the_case_panel_waits_for_the_content_note_then_shows_summary_facts_and_full_text(
        app, world, client_for):
    ann = client_for(world.ann)
    url = thread_url(world, world.thread)
    before = page_text(ann.get(url))
    assert "This case discusses" in before  # the content note itself
    assert "Continue to the case" in before
    assert "Key facts" not in before and "Read the full case" not in before

    response = _acknowledge(ann, world, url + "#case")
    assert response.status_code == 302 and response.headers["Location"] == url + "#case"
    after = page_text(ann.get(url))
    assert "Continue to the case" not in after
    assert "Content note:</strong> This case discusses" in after
    with db(app) as session:
        case = session.get(Case, world.discussion.case_id)
        facts, body = key_facts_html(case), case.body_html
    assert facts.startswith("<ul>") and facts in after
    assert "<summary>Read the full case</summary>" in after
    assert body in after  # the whole case, inside the <details>

    # Another member has not acknowledged it: they still get the note first.
    assert "Continue to the case" in page_text(client_for(world.ben).get(url))


def test_the_note_is_acknowledged_once_per_discussion(app, world, client_for):
    ann = client_for(world.ann)
    assert _acknowledge(ann, world).status_code == 302
    assert _acknowledge(ann, world).status_code == 302  # again, e.g. from a second tab
    with db(app) as session:
        acks = session.query(ContentNoteAck).filter_by(user_id=world.ann.id).all()
        assert [a.discussion_id for a in acks] == [world.discussion.id]
        # Acknowledging is per discussion: the same case elsewhere asks again.
        other = session.get(Discussion, world.other_discussion.id)
        assert not has_acknowledged_note(session, other, session.get(User, world.ann.id))


def test_acknowledging_goes_only_to_pages_on_this_site(world, client_for):
    ann = client_for(world.ann)
    for unsafe in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = _acknowledge(ann, world, unsafe)
        assert response.headers["Location"] == _case_url(world)


def test_acknowledging_needs_the_csrf_token(world, client_for):
    response = client_for(world.ann).post(_case_url(world) + "/note", data={})
    assert response.status_code == 400


def test_the_case_page_stays_in_the_group_with_a_way_back(app, world, client_for):
    ann = client_for(world.ann)
    note = page_text(ann.get(_case_url(world)))
    back = (f'<a href="/groups/{world.gid}/discussions/{world.discussion.id}">'
            f"Back to {world.discussion.title}</a>")
    assert back in note
    assert "Continue to the case" in note
    with db(app) as session:
        body = session.get(Case, world.discussion.case_id).body_html
    assert body not in note  # the note comes first

    _acknowledge(ann, world)
    page = page_text(ann.get(_case_url(world)))
    assert back in page and body in page and "Continue to the case" not in page


def test_key_facts_are_cut_from_the_case_body(app, cases):
    with db(app) as session:
        case = session.query(Case).filter_by(slug="undercover-simon").one()
        facts = key_facts_html(case)
        assert facts.startswith("<ul>") and facts.endswith("</ul>")
        assert "Simon is completely fictitious" in facts
        assert "<h2" not in facts and "The tensions" not in facts
        case.body_html = "<h2>Background</h2><p>No facts section.</p>"
        assert key_facts_html(case) == ""


def test_the_discussion_page_marks_answers_and_counts_them_per_stage(app, world, client_for):
    threads = _threads(app, world)
    understand = [t for t in threads if t.prompt.stage == "understand"]
    url = f"/groups/{world.gid}/discussions/{world.discussion.id}"
    ann = client_for(world.ann)
    html = page_text(ann.get(url))
    assert f"0 of {len(understand)} prompts answered by you" in html
    assert "Answered</span>" not in html

    assert reply(ann, world, understand[0], "My answer.").status_code == 302
    html = page_text(ann.get(url))
    assert f"1 of {len(understand)} prompts answered by you" in html
    item = re.search(rf'threads/{understand[0].id}">.*?</li>', html, re.DOTALL).group(0)
    assert '<span class="badge badge-ok">Answered</span>' in item
    assert '<span class="badge">1 post</span>' in item
    other = re.search(rf'threads/{understand[1].id}">.*?</li>', html, re.DOTALL).group(0)
    assert '<span class="badge">Not answered yet</span>' in other
    # Progress is the viewer's own: Ben has answered nothing.
    assert f"0 of {len(understand)} prompts answered by you" in page_text(
        client_for(world.ben).get(url))


def test_own_posts_are_never_unread(app, world, client_for):
    url = f"/groups/{world.gid}/discussions/{world.discussion.id}"
    with db(app) as session:
        write(session, world.thread.id, world.ann, "Mine.")
        write(session, world.thread.id, world.ben, "Ben's.")
    assert "1 unread" in page_text(client_for(world.ann).get(url))
    assert "1 unread" in page_text(client_for(world.ben).get(url))
    client_for(world.ann).get(thread_url(world, world.thread))  # reads it
    assert "unread" not in page_text(client_for(world.ann).get(url))


def _queries(app, client, url: str) -> int:
    assert client.get(url).status_code == 200
    with count_queries(app.extensions["casebook.engine"]) as statements:
        assert client.get(url).status_code == 200, url
    return len(statements)


def test_page_queries_do_not_grow_with_members_posts_or_reports(app, world, client_for):
    threads = _threads(app, world)
    urls = [f"/groups/{world.gid}/discussions/{world.discussion.id}",
            thread_url(world, world.thread), f"/groups/{world.gid}", "/groups/"]
    ann = client_for(world.ann)
    _acknowledge(ann, world)
    with db(app) as session:
        write(session, world.thread.id, world.ann, "Ann's answer.")
        write(session, world.thread.id, world.ben, "Ben's answer.")
    before = [_queries(app, ann, url) for url in urls]

    from casebook.groups.models import Group
    from casebook.moderation.service import report

    with db(app) as session:
        group = session.get(Group, world.gid)
        ann_user = session.get(User, world.ann.id)
        for i in range(15):
            user = make_user(session, f"Member {i}")
            add_member(session, group, user)
            for thread in threads[:4]:
                post = write(session, thread.id, user, f"Answer {i} to {thread.id}.")
            if i % 3 == 0:
                report(session, post, ann_user, "other")
        write(session, threads[1].id, world.ann, "Another of Ann's.")
    after = [_queries(app, ann, url) for url in urls]
    assert before == after, dict(zip(urls, zip(before, after, strict=True), strict=True))
