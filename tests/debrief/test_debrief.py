"""The debrief: key contributions marked on the thread page, and the closing
page a facilitator writes once the discussion has closed and may share."""

import re
from datetime import timedelta

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.debrief.models import KeyContribution
from casebook.discussion.models import PSEUDONYMOUS, Discussion, Post, Thread
from casebook.moderation import service as moderation
from tests.conftest import count_queries, csrf_from, db
from tests.discussion.conftest import page_text, thread_url, write
from tests.factories import add_member, make_user


def debrief_url(w) -> str:
    return f"/groups/{w.gid}/discussions/{w.discussion.id}/debrief"


def mark(client, w, post_id: int, *, key: bool = True, page_url: str | None = None):
    html = page_text(client.get(page_url or thread_url(w, w.thread)))
    data = {"csrf_token": csrf_from(html)}
    if key:
        data["key"] = "1"
    return client.post(f"/groups/{w.gid}/posts/{post_id}/key", data=data)


def close(app, w, **settings) -> None:
    with db(app) as session:
        discussion = session.get(Discussion, w.discussion.id)
        discussion.closes_at = utcnow() - timedelta(minutes=1)
        for name, value in settings.items():
            setattr(discussion, name, value)
        session.commit()


def save(client, w, summary: str = "", *, shared: bool = False):
    html = page_text(client.get(debrief_url(w)))
    data = {"csrf_token": csrf_from(html), "summary": summary}
    if shared:
        data["shared"] = "y"
    return client.post(debrief_url(w), data=data)


def test_a_facilitator_marks_a_key_contribution_from_the_thread_page(app, world, client_for):
    with db(app) as session:
        ann_post = write(session, world.thread.id, world.ann, "Exposure is not a trial.")
    fay = client_for(world.fac)
    assert "Key contribution" in page_text(fay.get(thread_url(world, world.thread)))

    response = mark(fay, world, ann_post.id)

    assert response.status_code == 302
    page = page_text(fay.get(response.headers["Location"]))
    assert "Marked as a key contribution" in page
    # The cached post list was refreshed: the button now takes the mark off.
    assert "Not a key contribution" in page
    response = mark(fay, world, ann_post.id, key=False)
    assert "Not a key contribution" not in page_text(fay.get(response.headers["Location"]))
    with db(app) as session:
        assert session.query(KeyContribution).count() == 0


def test_only_the_facilitators_may_mark_and_everyone_else_finds_no_such_page(
        app, world, client_for):
    with db(app) as session:
        ann_post = write(session, world.thread.id, world.ann, "A view worth keeping.")
    for user in (world.mod, world.ben, world.out, world.admin):
        client = client_for(user)
        html = page_text(client.get("/"))
        response = client.post(f"/groups/{world.gid}/posts/{ann_post.id}/key",
                               data={"csrf_token": csrf_from(html), "key": "1"})
        assert response.status_code == 404, user.display_name
        assert "Key contribution" not in page_text(
            client.get(thread_url(world, world.thread)))
    # Without the CSRF token nothing changes, even for the facilitator.
    assert client_for(world.fac).post(f"/groups/{world.gid}/posts/{ann_post.id}/key",
                                      data={"key": "1"}).status_code == 400
    with db(app) as session:
        assert session.query(KeyContribution).count() == 0


def test_a_post_of_another_group_or_a_held_post_cannot_be_marked(app, world, client_for):
    with db(app) as session:
        other = write(session, world.other_thread.id, world.out, "Elsewhere.")
        held = write(session, world.thread.id, world.ann, "Held for approval.")
        session.get(Post, held.id).status = "pending"
        session.commit()
    fay = client_for(world.fac)
    assert mark(fay, world, other.id).status_code == 404
    response = mark(fay, world, held.id)
    assert "Only a published post" in page_text(fay.get(response.headers["Location"]))
    with db(app) as session:
        assert session.query(KeyContribution).count() == 0


def test_the_debrief_waits_for_the_discussion_to_close(app, world, client_for):
    fay = client_for(world.fac)
    page = page_text(fay.get(debrief_url(world)))
    assert "can be written once the discussion has closed" in page
    assert "Save the debrief" not in page
    assert fay.post(debrief_url(world), data={
        "csrf_token": csrf_from(page), "summary": "Too early"}).status_code == 403
    # Participants find nothing until a debrief is written and shared.
    assert client_for(world.ann).get(debrief_url(world)).status_code == 404


def test_a_written_debrief_is_for_the_staff_until_shared_then_for_the_group(
        app, world, client_for):
    with db(app) as session:
        ann_post = write(session, world.thread.id, world.ann, "Exposure is not a trial.")
        write(session, world.thread.id, world.ben, "Deterrence matters too.")
    fay = client_for(world.fac)
    mark(fay, world, ann_post.id)
    close(app, world)

    response = save(fay, world, "We agreed on **due process**.<script>alert(1)</script>")
    assert response.status_code == 302
    page = page_text(fay.get(debrief_url(world)))
    assert "<strong>due process</strong>" in page and "<script>alert" not in page
    assert "Not shared yet" in page
    assert "Exposure is not a trial." in page
    assert client_for(world.ann).get(debrief_url(world)).status_code == 404
    assert client_for(world.mod).get(debrief_url(world)).status_code == 200

    save(fay, world, "We agreed on due process.", shared=True)
    ann_page = page_text(client_for(world.ann).get(debrief_url(world)))
    assert "We agreed on due process." in ann_page
    assert "Exposure is not a trial." in ann_page
    assert "Save the debrief" not in ann_page
    assert "Debrief" in page_text(client_for(world.ann).get(
        f"/groups/{world.gid}/discussions/{world.discussion.id}"))
    for outsider in (world.out, None):
        assert client_for(outsider).get(debrief_url(world)).status_code == 404


def test_figures_are_totals_by_stage_and_leave_out_hidden_posts(app, world, client_for):
    with db(app) as session:
        discussion = session.get(Discussion, world.discussion.id)
        stages = {t.prompt.stage: t.id for t in discussion.threads if t.prompt}
        write(session, stages["understand"], world.ann, "one two three")
        write(session, stages["understand"], world.ben, "four five")
        hidden = write(session, stages["decide"], world.ben, "six seven")
        moderation.hide(session, session.get(Post, hidden.id),
                        session.get(User, world.fac.id), "Off topic")
    close(app, world)
    fay = client_for(world.fac)
    save(fay, world, "", shared=True)
    page = page_text(client_for(world.ann).get(debrief_url(world)))

    assert "<dt>Published posts</dt><dd>2</dd>" in page
    assert "<dt>Words written</dt><dd>5</dd>" in page
    assert "<dt>Members who posted</dt><dd>2 of 4</dd>" in page
    understand = page.split('data-label="Stage">Understand the case</th>')[1].split("</tr>")[0]
    assert '<td data-label="Posts">2</td>' in understand
    assert "Deterrence" not in page and "six seven" not in page
    # Participants never get the per-member table.
    assert "Each member's figures" not in page


def test_pseudonyms_hold_in_the_shared_debrief(app, world, client_for):
    with db(app) as session:
        ann_post = write(session, world.thread.id, world.ann, "A pseudonymous view.")
    close(app, world, identity=PSEUDONYMOUS)
    fay = client_for(world.fac)
    with db(app) as session:
        session.get(Discussion, world.discussion.id).closes_at = None
        session.commit()
    mark(fay, world, ann_post.id)
    close(app, world)
    save(fay, world, "", shared=True)

    ben_page = page_text(client_for(world.ben).get(debrief_url(world)))
    assert "A pseudonymous view." in ben_page
    assert "Ann Example" not in ben_page and "Participant" in ben_page
    assert "Ann Example" in page_text(fay.get(debrief_url(world)))


def test_a_key_post_hidden_later_leaves_the_debrief(app, world, client_for):
    with db(app) as session:
        ann_post = write(session, world.thread.id, world.ann, "Soon to be hidden.")
    fay = client_for(world.fac)
    mark(fay, world, ann_post.id)
    close(app, world)
    save(fay, world, "", shared=True)
    with db(app) as session:
        moderation.hide(session, session.get(Post, ann_post.id),
                        session.get(User, world.fac.id), "Names a real person")
    assert "Soon to be hidden." not in page_text(client_for(world.ann).get(debrief_url(world)))


def test_an_over_long_summary_is_refused_with_the_form_kept(app, world, client_for):
    close(app, world)
    fay = client_for(world.fac)
    response = save(fay, world, "x" * 5_001)
    assert response.status_code == 422
    assert "Keep it to 5,000 characters or fewer." in page_text(response)


def test_the_debrief_costs_the_same_queries_however_many_key_posts(app, world, client_for):
    engine = app.extensions["casebook.engine"]
    fay = client_for(world.fac)
    close(app, world)
    save(fay, world, "Summary", shared=True)

    def measure() -> int:
        with count_queries(engine) as statements:
            assert fay.get(debrief_url(world)).status_code == 200
        return len(statements)

    def grow(n: int) -> None:
        with db(app) as session:
            discussion = session.get(Discussion, world.discussion.id)
            threads = [t for t in discussion.threads if t.prompt][:3]
            for i in range(n):
                user = make_user(session, f"Extra {n} {i}")
                add_member(session, discussion.group, user)
                post = write(session, threads[i % 3].id, user, f"Point {i}")
                session.add(KeyContribution(discussion_id=discussion.id, post_id=post.id))
            session.commit()

    grow(2)
    small = measure()
    grow(12)
    big = measure()
    assert small == big, (small, big)
    assert page_text(fay.get(debrief_url(world))).count('class="key-contribution"') == 14


def test_marking_refreshes_only_the_right_thread_version(app, world, client_for):
    with db(app) as session:
        ann_post = write(session, world.thread.id, world.ann, "Versioned.")
        before = session.get(Thread, world.thread.id).version
    mark(client_for(world.fac), world, ann_post.id)
    with db(app) as session:
        assert session.get(Thread, world.thread.id).version > before


def test_the_debrief_shows_how_views_moved_without_anyones_reasons(app, world, client_for):
    from casebook.polls import service as polls
    from casebook.polls.models import AFTER, BEFORE

    with db(app) as session:
        discussion = session.get(Discussion, world.discussion.id)
        first = polls.positions(session, discussion)[0]
        for user, before, after in ((world.ann, 2, 4), (world.ben, 2, 2)):
            account = session.get(User, user.id)
            given = {p.id: (before, None) for p in polls.positions(session, discussion)}
            given[first.id] = (before, f"{user.display_name}'s private reason")
            polls.save_answers(session, discussion, account, BEFORE, given)
            polls.save_answers(session, discussion, account, AFTER,
                               {p.id: (after, None) for p in polls.positions(session, discussion)})
        statement = first.text
    close(app, world)
    save(client_for(world.fac), world, "", shared=True)

    page = page_text(client_for(world.ann).get(debrief_url(world)))
    section = page.split('id="poll-heading"')[1].split("</section>")[0]
    assert statement in section
    assert "<strong>1</strong> moved toward agree" in section
    assert "<strong>1</strong> unchanged" in section
    assert f"<title id=\"chart-{first.id}-title\">Before and after: {statement}</title>" in section
    assert "private reason" not in page


def test_the_debrief_shows_which_lenses_and_stakeholders_were_argued(app, world, client_for):
    with db(app) as session:
        write(session, world.thread.id, world.ann, "From the rights of the accused.",
              tags=[("lens", "rights"), ("stakeholder", "online-vigilante-groups")])
        hidden = write(session, world.thread.id, world.ben, "Tagged but hidden.",
                       tags=[("lens", "care")])
        moderation.hide(session, session.get(Post, hidden.id),
                        session.get(User, world.fac.id), "Off topic")
    close(app, world)
    save(client_for(world.fac), world, "", shared=True)

    page = page_text(client_for(world.ben).get(debrief_url(world)))
    section = page.split('id="coverage-heading"')[1].split("</section>")[0]
    lenses = section.split("<caption>Posts per lens</caption>")[1].split("</table>")[0]
    assert re.search(r'Rights and duties</th><td data-label="Posts">1<', lenses)
    # A hidden post argues nothing in the debrief.
    assert re.search(r'Care</th><td data-label="Posts">0<', lenses)
    assert "<strong>Not argued:</strong>" in section and "Care" in section
