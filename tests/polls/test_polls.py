"""Before/after position polls: who answers when, who sees what, and the counts."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.discussion import service as discussions
from casebook.discussion.models import PSEUDONYMOUS, STAGED, Discussion
from casebook.groups.models import Group
from casebook.polls import service
from casebook.polls.models import AFTER, BEFORE, PHASES, PollAnswer
from tests.conftest import count_queries, csrf_from, db, post_form
from tests.discussion.conftest import page_text
from tests.factories import add_member, make_discussion, post, seminar


@pytest.fixture
def w(app, cases):
    with db(app) as session:
        world = seminar(session)
        world.positions = [p.id for p in service.positions(session, world.discussion)]
        world.did = world.discussion.id
        return world


def poll_url(w, phase: str, did: int | None = None) -> str:
    return f"/groups/{w.gid}/discussions/{did or w.did}/poll/{phase}"


def results_url(w, did: int | None = None) -> str:
    return f"/groups/{w.gid}/discussions/{did or w.did}/poll/results"


def answer_form(w, values: list[int], reasons: list[str] | None = None) -> dict:
    data = {}
    for i, (position_id, value) in enumerate(zip(w.positions, values, strict=True)):
        data[f"position_{position_id}"] = str(value)
        data[f"reason_{position_id}"] = (reasons or [""] * len(values))[i]
    return data


def answer(client, w, phase: str, values: list[int], reasons=None, did=None):
    url = poll_url(w, phase, did)
    return post_form(client, url, url, answer_form(w, values, reasons))


def give(app, w, user, phase: str, values: list[int], reasons=None, did=None) -> None:
    with db(app) as session:
        service.save_answers(
            session, session.get(Discussion, did or w.did), session.get(User, user.id), phase,
            {p: (v, r) for p, v, r in zip(w.positions, values, reasons or [None] * len(values),
                                          strict=True)})


def write_post(app, w, user, did=None) -> None:
    with db(app) as session:
        discussion = session.get(Discussion, did or w.did)
        post(session, discussion.threads[0], session.get(User, user.id), "My answer.")


# The service ---------------------------------------------------------------

def test_before_answers_may_change_until_the_first_post_then_lock(app, w):
    give(app, w, w.ann, BEFORE, [1, 2])
    give(app, w, w.ann, BEFORE, [2, 2], ["Changed my mind on reading the case.", None])
    write_post(app, w, w.ann)
    with db(app) as session:
        discussion, ann = session.get(Discussion, w.did), session.get(User, w.ann.id)
        assert service.state(session, discussion, ann).before_locked
        with pytest.raises(service.PollRefused, match="locked"):
            service.save_answers(session, discussion, ann, BEFORE,
                                 {p: (5, None) for p in w.positions})
        assert service.distribution(session, discussion, BEFORE)[w.positions[0]] == \
            [0, 1, 0, 0, 0]


def test_a_post_locks_the_before_poll_even_unanswered(app, w):
    write_post(app, w, w.ben)
    with db(app) as session:
        poll = service.state(session, session.get(Discussion, w.did), session.get(User, w.ben.id))
        assert poll.before_locked and not poll.before_due
        # All stages open from the start: posting opens the after poll.
        assert poll.after_open and poll.after_due


def test_after_poll_opens_with_the_last_stage_of_a_staged_discussion(app, w):
    with db(app) as session:
        staged = make_discussion(session, session.get(Group, w.gid),
                                 session.get(User, w.fac.id), release=STAGED)
        did = staged.id
    give(app, w, w.ann, BEFORE, [3, 3], did=did)
    with db(app) as session:
        discussion, ann = session.get(Discussion, did), session.get(User, w.ann.id)
        assert not service.state(session, discussion, ann).after_open
        with pytest.raises(service.PollRefused, match="last stage"):
            service.save_answers(session, discussion, ann, AFTER,
                                 {p: (4, None) for p in w.positions})
        while discussions.open_next_stage(session, discussion, session.get(User, w.fac.id)):
            pass
        assert service.state(session, discussion, ann).after_open
    give(app, w, w.ann, AFTER, [4, 3], did=did)


def test_distribution_and_shifts_count_each_way_of_moving(app, w):
    give(app, w, w.ann, BEFORE, [2, 5])
    give(app, w, w.ben, BEFORE, [4, 5])
    give(app, w, w.ann, AFTER, [4, 5])  # toward agree, unchanged
    give(app, w, w.ben, AFTER, [1, 3])  # toward disagree twice
    with db(app) as session:
        discussion = session.get(Discussion, w.did)
        first, second = w.positions
        assert service.distribution(session, discussion, BEFORE) == {
            first: [0, 1, 0, 1, 0], second: [0, 0, 0, 0, 2]}
        assert service.distribution(session, discussion, AFTER) == {
            first: [1, 0, 0, 1, 0], second: [0, 0, 1, 0, 1]}
        moved = service.shifts(session, discussion)
        assert (moved[first].toward_agree, moved[first].toward_disagree,
                moved[first].unchanged) == (1, 1, 0)
        assert (moved[second].toward_agree, moved[second].toward_disagree,
                moved[second].unchanged) == (0, 1, 1)
        assert moved[second].answered_both == 2


# The pages -----------------------------------------------------------------

def test_participant_answers_by_form_and_only_then_sees_the_group_counts(app, w, client_for):
    give(app, w, w.ben, BEFORE, [1, 1], ["Ben's private reason", None])
    ann = client_for(w.ann)
    page = page_text(ann.get(poll_url(w, BEFORE)))
    assert "<legend>Online vigilante stings do more good than harm.</legend>" in page
    assert "once you have given your own" in page
    assert "Strongly disagree</th>" not in page  # no counts yet

    response = answer(ann, w, BEFORE, [4, 2], ["The harm to families worries me", ""])
    assert response.status_code == 302
    page = page_text(ann.get(response.headers["Location"]))
    assert "Your answers are saved" in page
    counts = re.findall(r'<th scope="row" data-label="Answer">([^<]+)</th><td data-label="People">'
                        r'(\d+)</td>', page)
    assert counts[:5] == [("Strongly disagree", "1"), ("Disagree", "0"),
                          ("Neither agree nor disagree", "0"), ("Agree", "1"),
                          ("Strongly agree", "0")]
    # Counts only: another participant's reason or name never shows.
    assert "Ben's private reason" not in page and "Ben Other" not in page
    with db(app) as session:
        mine = session.scalars(select(PollAnswer).where(PollAnswer.user_id == w.ann.id)).all()
        assert sorted((a.value, a.reason) for a in mine) == [
            (2, None), (4, "The harm to families worries me")]


def test_missing_answer_and_long_reason_are_field_errors(app, w, client_for):
    ann = client_for(w.ann)
    url = poll_url(w, BEFORE)
    data = answer_form(w, [3, 3], ["x" * 201, ""])
    del data[f"position_{w.positions[1]}"]
    response = post_form(ann, url, url, data)
    assert response.status_code == 422
    page = page_text(response)
    assert f'id="position_{w.positions[1]}-error">Choose where you stand' in page
    assert f'id="reason_{w.positions[0]}-error">Keep the reason to 200' in page
    assert f'href="#position_{w.positions[1]}"' in page  # the error summary links the group
    response = post_form(ann, url, url, answer_form(w, [3, 9]))
    assert response.status_code == 422
    with db(app) as session:
        assert session.scalar(select(PollAnswer)) is None


def test_before_poll_is_refused_with_a_message_after_posting(app, w, client_for):
    ann = client_for(w.ann)
    url = poll_url(w, BEFORE)
    token = csrf_from(page_text(ann.get(url)))
    write_post(app, w, w.ann)
    response = ann.post(url, data={"csrf_token": token, **answer_form(w, [5, 5])})
    assert response.status_code == 409
    assert "Your answers from before the discussion are locked" in page_text(response)
    page = page_text(ann.get(url))
    assert "locked: you have posted" in page and "Save my answers" not in page
    with db(app) as session:
        assert session.scalar(select(PollAnswer)) is None


def test_poll_posts_need_the_csrf_token(app, w, client_for):
    response = client_for(w.ann).post(poll_url(w, BEFORE), data=answer_form(w, [3, 3]))
    assert response.status_code == 400
    with db(app) as session:
        assert session.scalar(select(PollAnswer)) is None


def test_outsiders_get_404_and_participants_no_results(app, w, client_for):
    out = client_for(w.out)
    for url in (poll_url(w, BEFORE), poll_url(w, AFTER), results_url(w),
                f"/groups/{w.gid}/discussions/{w.did}/poll.csv"):
        assert out.get(url).status_code == 404, url
        assert client_for(None).get(url).status_code == 404, url
    assert answer(out, w, BEFORE, [3, 3]).status_code == 404
    # Another group's discussion id under this group is not found either.
    assert client_for(w.ann).get(poll_url(w, BEFORE, w.other_discussion.id)).status_code == 404
    assert client_for(w.ann).get(results_url(w)).status_code == 403
    assert client_for(w.ann).get(f"/groups/{w.gid}/discussions/{w.did}/poll/later") \
        .status_code == 404


def test_facilitators_do_not_answer_but_see_results(app, w, client_for):
    fac = client_for(w.fac)
    page = page_text(fac.get(poll_url(w, BEFORE)))
    assert "Save my answers" not in page and "do not answer the poll" in page
    assert answer(fac, w, BEFORE, [3, 3]).status_code == 403


def test_closed_discussion_poll_is_read_only(app, w, client_for):
    with db(app) as session:
        session.get(Discussion, w.did).closes_at = utcnow() - timedelta(minutes=1)
        session.commit()
    ann = client_for(w.ann)
    assert "Save my answers" not in page_text(ann.get(poll_url(w, BEFORE)))
    assert answer(ann, w, BEFORE, [3, 3]).status_code == 403


def test_results_show_chart_table_shift_and_reasons_by_pseudonym(app, w, client_for):
    with db(app) as session:
        session.get(Discussion, w.did).identity = PSEUDONYMOUS
        session.commit()
    give(app, w, w.ann, BEFORE, [2, 3], ["Exposure punishes families too", None])
    give(app, w, w.ann, AFTER, [4, 3])
    page = page_text(client_for(w.fac).get(results_url(w)))
    assert re.search(r'<svg class="poll-chart"[^>]*role="img"', page)
    assert (f'<title id="chart-{w.positions[0]}-title">Before and after: Online vigilante '
            "stings") in page
    assert "Before the discussion: strongly disagree 0, disagree 1" in page  # the <desc>
    assert "<strong>1</strong> moved toward agree" in page
    assert '<td data-label="Before">1</td><td data-label="After">0</td>' in page
    assert "Exposure punishes families too" in page
    # Facilitators see the pseudonym with the real name, as on the thread page.
    assert re.search(r"Participant \d+ \(Ann Example\)", page)


def test_discussion_and_thread_pages_invite_to_the_before_poll_until_answered(
        app, w, client_for):
    ann = client_for(w.ann)
    view = f"/groups/{w.gid}/discussions/{w.did}"
    thread = f"/groups/{w.gid}/threads/{w.thread.id}"
    for url in (view, thread):
        assert "Before you post: where do you stand?" in page_text(ann.get(url)), url
    assert "Before you post" not in page_text(client_for(w.fac).get(view))
    give(app, w, w.ann, BEFORE, [3, 3])
    assert "Before you post" not in page_text(ann.get(thread))
    page = page_text(ann.get(view))
    assert "Before you post" not in page
    # All stages open: with the before poll answered the after poll is offered.
    assert "After the discussion: where do you stand now?" in page


def test_exports_carry_counts_and_shifts_but_no_names_or_reasons(app, w, client_for):
    give(app, w, w.ann, BEFORE, [2, 3], ["A reason of Ann's", None])
    give(app, w, w.ann, AFTER, [4, 3])
    fac = client_for(w.fac)
    view = page_text(fac.get(f"/groups/{w.gid}/discussions/{w.did}"))
    assert f'href="/groups/{w.gid}/discussions/{w.did}/poll.csv">Poll counts' in view
    csv_text = page_text(fac.get(f"/groups/{w.gid}/discussions/{w.did}/poll.csv"))
    lines = csv_text.splitlines()
    assert lines[0].startswith("statement,phase,strongly disagree,disagree")
    assert lines[1] == "Online vigilante stings do more good than harm.,before,0,1,0,0,0,1,,,,"
    assert lines[2] == "Online vigilante stings do more good than harm.,after,0,0,0,1,0,1,1,1,0,0"
    markdown = page_text(fac.get(f"/groups/{w.gid}/discussions/{w.did}/transcript.md"))
    assert "## Poll: where people stood before and after" in markdown
    assert "| Disagree | 1 | 0 |" in markdown
    assert "Of 1 who answered both: 1 moved toward agree" in markdown
    for body in (csv_text, markdown):
        assert "A reason of Ann's" not in body and "Ann Example" not in body
    assert client_for(w.ann).get(f"/groups/{w.gid}/discussions/{w.did}/poll.csv") \
        .status_code == 403


def test_poll_pages_cost_a_fixed_number_of_queries(app, w, client_for):
    engine = app.extensions["casebook.engine"]

    def cost(client, url):
        assert client.get(url).status_code == 200
        with count_queries(engine) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    give(app, w, w.ann, BEFORE, [1, 2], ["One", "Two"])
    few = (cost(client_for(w.fac), results_url(w)), cost(client_for(w.ann), poll_url(w, BEFORE)))
    with db(app) as session:
        for n in range(12):
            user = User(email=f"p{n}@example.org", email_key=f"p{n}@example.org",
                        display_name=f"P {n}", password_hash="!")
            session.add(user)
            session.flush()
            add_member(session, session.get(Group, w.gid), user)
            for phase in PHASES:
                for position_id in w.positions:
                    session.add(PollAnswer(discussion_id=w.did, position_id=position_id,
                                           user_id=user.id, phase=phase, value=1 + n % 5,
                                           reason=f"Reason {n}"))
        session.commit()
    many = (cost(client_for(w.fac), results_url(w)), cost(client_for(w.ann), poll_url(w, BEFORE)))
    assert few == many, (few, many)



def test_poll_answers_are_in_the_members_data_and_go_with_the_account(app, w, client_for):
    from casebook.accounts import service as accounts
    from tests.factories import PASSWORD

    give(app, w, w.ann, BEFORE, [2, 4], ["Families pay a price too", None])
    give(app, w, w.ben, BEFORE, [5, 5], ["Ben's own reason", None])
    client = client_for(w.ann)
    data = post_form(client, "/account/", "/account/data").get_json()
    assert sorted((a["statement"][:20], a["phase"], a["answer"], a["reason"])
                  for a in data["poll_answers"]) == [
        ("Online vigilante sti", "before", "Disagree", "Families pay a price too"),
        ("Police should make t", "before", "Agree", None)]
    assert "Ben's own reason" not in str(data)

    with db(app) as session:
        accounts.delete_account(session, session.get(User, w.ann.id), PASSWORD)
    with db(app) as session:
        left = session.scalars(select(PollAnswer.user_id)).all()
        assert set(left) == {w.ben.id}
