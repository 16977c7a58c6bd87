"""Facilitators give participants stakeholders to argue from; participants see
their role beside the stakeholders prompts and their posts there show it.
Runs on PostgreSQL too (CASEBOOK_TEST_DATABASE_URL)."""

import random
import re

from casebook.deliberation import service
from casebook.deliberation.models import StakeholderRole
from casebook.discussion.models import Discussion, Thread
from casebook.groups.models import Group, Membership
from tests.conftest import db, post_form
from tests.deliberation.test_tags_and_coverage import VIGILANTES, article
from tests.discussion.conftest import page_text, reply, thread_url
from tests.factories import add_member, make_user


def stakeholder_thread(app, world) -> Thread:
    with db(app) as session:
        return session.query(Thread).filter(
            Thread.discussion_id == world.discussion.id,
            Thread.prompt.has(stage="stakeholders")).order_by(Thread.position).first()


def membership_id(app, world, user) -> int:
    with db(app) as session:
        return session.query(Membership).filter_by(group_id=world.gid, user_id=user.id).one().id


def roles_url(world) -> str:
    return f"/groups/{world.gid}/discussions/{world.discussion.id}/roles"


def test_random_roles_are_balanced_and_only_for_participants(app, world):
    with db(app) as session:
        for n in range(11):
            add_member(session, session.get(Group, world.gid), make_user(session, f"Extra {n}"))
        discussion = session.get(Discussion, world.discussion.id)
        chosen = service.assign_at_random(session, discussion, random.Random(7))
        people = service.participants(session, discussion)
        assert set(chosen) == {m.id for m in people}  # Ann, Ben and 11 more; no staff
        assert len(chosen) == 13
        counts = {}
        for key in chosen.values():
            counts[key] = counts.get(key, 0) + 1
        keys = {s.key for s in service.stakeholders(discussion.case)}
        assert set(counts) == keys and max(counts.values()) - min(counts.values()) <= 1
        assert session.query(StakeholderRole).count() == 13


def test_facilitator_assigns_by_hand_and_bad_choices_are_field_errors(app, world, client_for):
    fac = client_for(world.fac)
    ann_id, ben_id = membership_id(app, world, world.ann), membership_id(app, world, world.ben)
    page = page_text(fac.get(roles_url(world)))
    assert "Stakeholder roles" in page and "Ann Example" in page
    assert "Fay Facilitator" not in page.split("By hand", 1)[1].split("</form>", 1)[0]
    response = post_form(fac, roles_url(world), roles_url(world),
                         {f"role-{ann_id}": VIGILANTES, f"role-{ben_id}": "", "save": "1"})
    assert response.status_code == 302
    with db(app) as session:
        assert {r.membership_id: r.stakeholder for r in session.query(StakeholderRole)} == {
            ann_id: VIGILANTES}
    response = post_form(fac, roles_url(world), roles_url(world),
                         {f"role-{ann_id}": "the-moon", "save": "1"})
    assert response.status_code == 422
    assert "Choose one of this case&#39;s stakeholders, or No role." in page_text(response)


def test_only_facilitators_manage_roles_and_outsiders_get_404(app, world, client_for):
    assert client_for(world.ann).get(roles_url(world)).status_code == 403
    assert client_for(world.mod).get(roles_url(world)).status_code == 403
    assert client_for(world.out).get(roles_url(world)).status_code == 404
    other = (f"/groups/{world.other_group.id}/discussions/{world.other_discussion.id}"
             "/roles/random")
    assert post_form(client_for(world.fac), roles_url(world), other).status_code == 404
    assert "Stakeholder roles" not in page_text(client_for(world.ann).get(
        f"/groups/{world.gid}/discussions/{world.discussion.id}"))


def test_a_participant_sees_their_role_and_posts_in_it(app, world, client_for):
    fac, ann, ben = client_for(world.fac), client_for(world.ann), client_for(world.ben)
    ann_id = membership_id(app, world, world.ann)
    post_form(fac, roles_url(world), roles_url(world), {f"role-{ann_id}": VIGILANTES})
    view = f"/groups/{world.gid}/discussions/{world.discussion.id}"
    assert "Your role: Online vigilante groups" in page_text(ann.get(view))
    assert "Your role:" not in page_text(ben.get(view))
    thread = stakeholder_thread(app, world)
    assert "Your role: Online vigilante groups" in page_text(ann.get(thread_url(world, thread)))
    assert "Your role:" not in page_text(ann.get(thread_url(world, world.thread)))

    assert reply(ann, world, thread, "They want to deter.").status_code == 302
    assert reply(ann, world, world.thread, "Outside the stage.").status_code == 302
    page = page_text(ben.get(thread_url(world, thread)))
    assert "Speaking as <strong>Online vigilante groups</strong>" in page
    assert "Speaking as" not in page_text(ben.get(thread_url(world, world.thread)))

    # The post keeps the role it was written in when roles change later.
    post_form(fac, roles_url(world), roles_url(world), {f"role-{ann_id}": ""})
    page = page_text(ben.get(thread_url(world, thread)))
    post_id = int(re.search(r'id="post-(\d+)"', page).group(1))
    assert "Speaking as <strong>Online vigilante groups</strong>" in article(page, post_id)


def test_coverage_shows_which_roles_are_voiced(app, world, client_for):
    fac, ann = client_for(world.fac), client_for(world.ann)
    post_form(fac, roles_url(world), roles_url(world), {
        f"role-{membership_id(app, world, world.ann)}": VIGILANTES,
        f"role-{membership_id(app, world, world.ben)}": "families-of-those-exposed"})
    reply(ann, world, stakeholder_thread(app, world), "Speaking for the groups.")
    page = page_text(fac.get(f"/groups/{world.gid}/discussions/{world.discussion.id}"))
    assert "Not yet voiced:</strong> Families of those exposed." in page
    assert re.search(r'<th scope="row"[^>]*>Online vigilante groups</th>'
                     r'<td[^>]*>1</td><td[^>]*>1</td>', page)


def test_pseudonymous_roles_page_names_participants_as_the_facilitator_sees_them(
        app, world, client_for):
    with db(app) as session:
        session.get(Discussion, world.discussion.id).identity = "pseudonymous"
        session.commit()
    page = page_text(client_for(world.fac).get(roles_url(world)))
    assert re.search(r"Participant \d+ \(Ann Example\)", page)
