"""Creating a group, the overview page and My groups."""

from datetime import timedelta

from sqlalchemy import select

from casebook.db import utcnow
from casebook.groups.models import Group, Membership
from tests.conftest import db, post_form, register
from tests.factories import make_discussion
from tests.groups.conftest import text


def test_creating_a_group_makes_you_its_facilitator(app, client):
    register(client)
    response = post_form(client, "/groups/new", "/groups/new", {
        "name": "  Policing and technology  ",
        "description": "Week 3: *read the case first*.",
        "kind": "police", "requires_approval": "y",
    })

    assert response.status_code == 302
    with db(app) as session:
        group = session.scalar(select(Group))
        member = session.scalar(select(Membership))
    assert response.headers["Location"] == f"/groups/{group.id}"
    assert group.name == "Policing and technology"
    assert group.requires_approval
    assert (member.role, member.pseudonym_number) == ("facilitator", 1)

    page = client.get(response.headers["Location"])
    body = text(page)
    assert "You created Policing and technology and are its facilitator." in body
    assert "Police training" in body
    assert "Your role: Facilitator" in body
    assert "<em>read the case first</em>" in page.get_data(as_text=True)
    code = group.join_code
    assert f"{code[:5]}-{code[5:]}" in body
    assert f"http://localhost/join/{code}" in body
    assert "Doesn't expire" in body
    assert "People who use the code ask to join" in body

    listing = text(client.get("/groups/"))
    assert "Policing and technology Police training · Your role: Facilitator" in listing


def test_the_form_explains_what_is_missing_and_creates_nothing(app, client):
    register(client)
    response = post_form(client, "/groups/new", "/groups/new", {"name": " ", "kind": ""})

    assert response.status_code == 422
    body = text(response)
    assert "Enter a name for the group." in body
    assert "Choose what kind of group this is." in body
    with db(app) as session:
        assert session.scalar(select(Group)) is None


def test_an_unknown_kind_is_refused(app, client):
    register(client)
    response = post_form(client, "/groups/new", "/groups/new", {"name": "X", "kind": "cult"})

    assert response.status_code == 422
    assert "Choose what kind of group this is." in text(response)
    with db(app) as session:
        assert session.scalar(select(Group)) is None


def test_description_markdown_cannot_inject_script(app, client):
    register(client)
    response = post_form(client, "/groups/new", "/groups/new", {
        "name": "Safe", "kind": "seminar",
        "description": "<script>alert(1)</script> [x](javascript:alert(2))",
    }, follow_redirects=True)

    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    # The refused link is shown as the text that was typed, never as an href.
    assert "[x](javascript:alert(2))" in html
    assert '="javascript:' not in html


def test_creating_needs_an_account(client):
    response = client.get("/groups/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in?next=")


def test_my_groups_empty_state_explains_creating_and_joining(app, client):
    register(client)
    body = text(client.get("/groups/"))

    assert "You are not in any group yet." in body
    assert "Join with a code" in body
    assert "Create a group" in body
    assert "you become its facilitator" in body


def test_my_groups_lists_each_group_with_kind_and_role(world, as_):
    body = text(as_("mo").get("/groups/"))

    assert "Ethics seminar Seminar · Your role: Moderator" in body
    assert "History reading group" not in body
    assert f'href="/groups/{world.group}"' in as_("mo").get("/groups/").get_data(as_text=True)


def test_participants_see_the_group_without_its_controls(world, as_):
    body = text(as_("pat").get(f"/groups/{world.group}"))

    assert "Ethics seminar" in body
    assert "Your role: Participant" in body
    assert world.code[:4] not in body
    for hidden in ("Invite people", "Settings", "Members", "Join requests",
                   "Switch off joining"):
        assert hidden not in body
    assert "Leave group" in body


def test_facilitators_see_tools_and_pending_request_count(app, world, as_):
    with db(app) as session:
        group = session.get(Group, world.group)
        group.requires_approval = True
        session.commit()
    newcomer = as_("olu")
    post_form(newcomer, f"/join/{world.code}", f"/join/{world.code}")

    body = text(as_("fay").get(f"/groups/{world.group}"))
    assert "Members" in body
    assert "Join requests 1 waiting" in body
    assert "Settings" in body
    assert "Get a new code" in body


def test_the_overview_lists_discussions_each_person_may_see(app, world, cases, as_):
    with db(app) as session:
        group = session.get(Group, world.group)
        from casebook.accounts.models import User
        fay = session.get(User, world.fay)
        make_discussion(session, group, fay, title="Week 1: vigilantes")
        make_discussion(session, group, fay, slug="undercover-simon", title="Week 2: Simon",
                        opens_at=utcnow() + timedelta(days=7))

    participant = text(as_("pat").get(f"/groups/{world.group}"))
    assert "Week 1: vigilantes" in participant
    assert "Week 2: Simon" not in participant  # scheduled: facilitators only

    facilitator = text(as_("fay").get(f"/groups/{world.group}"))
    assert facilitator.index("Week 1: vigilantes") < facilitator.index("Week 2: Simon")
    assert "Opens" in facilitator


def test_an_empty_group_says_it_has_no_discussions(world, as_):
    assert "There are no discussions in this group yet." in text(
        as_("pat").get(f"/groups/{world.group}"))
