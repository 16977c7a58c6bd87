"""Choosing a discussion's prompts and releasing its stages one by one."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from casebook.accounts.models import User
from casebook.cases.service import get_case
from casebook.db import utcnow
from casebook.discussion import participation, reading, service
from casebook.discussion.models import STAGED, Discussion, DiscussionStage, Thread
from casebook.groups.models import Group
from casebook.moderation.models import ModerationAction
from tests.conftest import count_queries, db, post_form
from tests.discussion.conftest import page_text, reply, write
from tests.discussion.test_query_count import fill
from tests.factories import make_discussion


def view_url(w, discussion_id: int) -> str:
    return f"/groups/{w.gid}/discussions/{discussion_id}"


def staged(app, w, **kwargs) -> dict:
    """A stage-by-stage discussion of the seminar's group; its threads by stage."""
    with db(app) as session:
        discussion = make_discussion(session, session.get(Group, w.gid),
                                     session.get(User, w.fac.id), release=STAGED, **kwargs)
        by_stage = {}
        for thread in discussion.threads:
            by_stage.setdefault(thread.prompt.stage, []).append(thread.id)
        return {"id": discussion.id, "threads": by_stage}


def test_left_out_prompts_get_no_thread_and_the_page_offers_them_grouped_by_stage(
        app, world, client_for):
    fac = client_for(world.fac)
    url = f"/groups/{world.gid}/discussions/new"
    with db(app) as session:
        case = get_case(session, "undercover-simon")
        prompts = [p for p in case.prompts if not p.retired]
        case_id, left_out = case.id, {prompts[1].id, prompts[-1].id}
        kept = [p.id for p in prompts if p.id not in left_out]
    shown = post_form(fac, url, url, {"case_id": case_id, "choose_prompts": "1"})
    page = page_text(shown)
    assert shown.status_code == 200
    assert "<legend>Prompts to discuss</legend>" in page
    assert "<legend>1. Understand the case</legend>" in page
    assert len(re.findall(r'type="checkbox" name="prompts"[^>]* checked', page)) == len(prompts)
    with db(app) as session:
        assert session.scalar(select(Discussion).where(Discussion.case_id == case_id)) is None

    response = post_form(fac, url, url, {"case_id": case_id, "prompts_for": str(case_id),
                                         "prompts": kept, "identity": "named",
                                         "release": "staged"})
    assert response.status_code == 302
    with db(app) as session:
        discussion = session.scalar(select(Discussion).where(Discussion.case_id == case_id))
        assert discussion.staged
        assert sorted(t.prompt_id for t in discussion.threads) == sorted(kept)
        assert not left_out & {t.prompt_id for t in discussion.threads}


def test_leaving_out_every_prompt_is_a_field_error_and_nothing_is_created(
        app, world, client_for):
    fac = client_for(world.fac)
    url = f"/groups/{world.gid}/discussions/new"
    with db(app) as session:
        case_id = get_case(session, "undercover-simon").id
    response = post_form(fac, url, url, {"case_id": case_id, "prompts_for": str(case_id),
                                         "identity": "named", "release": "all"})
    assert response.status_code == 422
    assert re.search(r'id="prompts-error">Keep at least one prompt', page_text(response))
    with db(app) as session:
        assert session.scalar(select(Discussion).where(Discussion.case_id == case_id)) is None


def test_participants_see_only_open_stages_and_get_404_on_closed_stage_urls(
        app, world, client_for):
    d = staged(app, world)
    first, second = d["threads"]["understand"][0], d["threads"]["stakeholders"][0]
    with db(app) as session:
        # A moderator wrote ahead in stage 2: nobody else may see it yet.
        early = write(session, second, world.mod, "Waiting for stage two.")
        early_id = early.id
    ann, fac = client_for(world.ann), client_for(world.fac)

    page = page_text(ann.get(view_url(world, d["id"])))
    assert 'id="stage-understand"' in page and 'id="stage-stakeholders"' not in page
    assert "Live now" in page and "To come" in page
    assert "Open the next stage" not in page
    g = world.gid
    for url in (f"/groups/{g}/threads/{second}", f"/groups/{g}/posts/{early_id}",
                f"/groups/{g}/posts/{early_id}/report"):
        assert ann.get(url).status_code == 404, url
    assert reply(ann, world, SimpleNamespace(id=first), "First stage answer.").status_code == 302
    refused = post_form(ann, f"/groups/{g}/threads/{first}", f"/groups/{g}/threads/{second}/posts",
                        {"body": "Sneaking in early."})
    assert refused.status_code == 404
    # The last prompt of stage 1 does not point into stage 2.
    last_first = d["threads"]["understand"][-1]
    assert f"/threads/{second}" not in page_text(ann.get(f"/groups/{g}/threads/{last_first}"))
    # Unread counts and activity leave the closed stage out.
    assert "Waiting for stage two" not in page_text(ann.get(f"/groups/{g}/activity"))
    with db(app) as session:
        discussion = session.get(Discussion, d["id"])
        unread = reading.unread_by_thread(session, discussion, session.get(User, world.ann.id),
                                          sees_everything=False)
        assert second not in unread

    # Facilitators see every stage, tagged.
    closed_urls = (f"/groups/{g}/threads/{second}", f"/groups/{g}/posts/{early_id}",
                   f"/groups/{g}/posts/{early_id}/report")
    staff = page_text(fac.get(view_url(world, d["id"])))
    assert re.search(r'id="stage-stakeholders">2\. Stakeholders <span class="tag tag-muted">'
                     r'Not yet open</span>', staff)
    assert fac.get(f"/groups/{g}/threads/{second}").status_code == 200

    # The same URLs answer once the stage opens: the 404 was the stage rule.
    with db(app) as session:
        service.open_next_stage(session, session.get(Discussion, d["id"]),
                                session.get(User, world.fac.id))
    for url in closed_urls:
        assert ann.get(url).status_code in (200, 302), url


def test_opening_the_next_stage_reveals_it_and_is_logged(app, world, client_for):
    d = staged(app, world)
    second = d["threads"]["stakeholders"][0]
    ann, fac = client_for(world.ann), client_for(world.fac)
    assert ann.get(f"/groups/{world.gid}/threads/{second}").status_code == 404
    view = view_url(world, d["id"])
    assert "Open the next stage: Stakeholders" in page_text(fac.get(view))
    # No token, no change.
    assert fac.post(f"{view}/stages/next").status_code == 400
    response = post_form(fac, view, f"{view}/stages/next")
    assert response.status_code == 302
    assert "“Stakeholders” is open" in page_text(fac.get(response.headers["Location"]))
    assert ann.get(f"/groups/{world.gid}/threads/{second}").status_code == 200
    assert 'id="stage-stakeholders"' in page_text(ann.get(view))
    with db(app) as session:
        entry = session.scalar(select(ModerationAction).where(
            ModerationAction.action == "opened a stage"))
        assert entry.actor_id == world.fac.id and entry.details["stage"] == "stakeholders"
    assert "Open the next stage: Ethical lenses" in page_text(fac.get(view))


def test_a_stage_whose_time_has_passed_counts_as_open(app, world, client_for):
    soon = utcnow() + timedelta(hours=1)
    d = staged(app, world, stage_opens_at={"stakeholders": soon})
    second = d["threads"]["stakeholders"][0]
    ann = client_for(world.ann)
    assert ann.get(f"/groups/{world.gid}/threads/{second}").status_code == 404
    assert "opens <time" in page_text(ann.get(view_url(world, d["id"])))
    with db(app) as session:
        session.get(DiscussionStage, (d["id"], "stakeholders")).opens_at = \
            utcnow() - timedelta(minutes=1)
        session.commit()
    assert ann.get(f"/groups/{world.gid}/threads/{second}").status_code == 200


def test_participation_counts_prompts_of_open_stages_only(app, world):
    d = staged(app, world)
    with db(app) as session:
        discussion = session.get(Discussion, d["id"])
        group = session.get(Group, world.gid)
        figures = participation.participation(session, group, discussion)
        assert figures.prompts_total == len(d["threads"]["understand"])
        service.open_next_stage(session, discussion, session.get(User, world.fac.id))
        figures = participation.participation(session, group, discussion)
        assert figures.prompts_total == (len(d["threads"]["understand"])
                                         + len(d["threads"]["stakeholders"]))


def test_keeping_no_prompt_is_refused_by_the_service(app, world):
    with db(app) as session, pytest.raises(ValueError, match="Keep at least one prompt"):
        make_discussion(session, session.get(Group, world.gid),
                        session.get(User, world.fac.id), prompt_ids=[])


def test_the_staged_discussion_page_costs_the_same_with_more_posts(app, world, client_for):
    d = staged(app, world)
    url = view_url(world, d["id"])
    engine = app.extensions["casebook.engine"]
    counts = []
    for user in (world.ann, world.fac):
        client = client_for(user)
        client.get(url)
        with count_queries(engine) as before:
            assert client.get(url).status_code == 200
        counts.append(len(before))
    with db(app) as session:
        authors = [session.get(User, u.id) for u in (world.ann, world.ben, world.mod)]
        for thread_id in d["threads"]["understand"] + d["threads"]["stakeholders"]:
            fill(session, session.get(Thread, thread_id), authors, 40)
    for user, expected in zip((world.ann, world.fac), counts, strict=True):
        client = client_for(user)
        with count_queries(engine) as after:
            assert client.get(url).status_code == 200
        assert len(after) == expected, (user.display_name, len(after), expected)


def test_post_first_on_one_stage_leaves_the_other_stages_open_to_read(app, world, client_for):
    with db(app) as session:
        discussion = make_discussion(session, session.get(Group, world.gid),
                                     session.get(User, world.fac.id), post_first=True,
                                     post_first_stage="decide")
        threads = {t.prompt.stage: t.id for t in reversed(discussion.threads)}
        facts = write(session, threads["understand"], world.ben, "Ben on the facts").id
        decision = write(session, threads["decide"], world.ben, "Ben decides").id
    ann = client_for(world.ann)
    assert ann.get(f"/groups/{world.gid}/posts/{facts}").status_code == 302
    assert ann.get(f"/groups/{world.gid}/posts/{decision}").status_code == 404
    page = page_text(ann.get(f"/groups/{world.gid}/threads/{threads['decide']}"))
    assert "Post your answer to see what others wrote (1 answer so far)." in page
    assert "Ben decides" not in page
