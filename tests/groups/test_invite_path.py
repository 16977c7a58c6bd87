"""A signed-out visitor follows an invite link: the sign-in and register pages say
which group invited them, ``next`` survives both, and they land on the join page."""

import re
from datetime import timedelta
from html import unescape

import pytest

from casebook.db import utcnow
from casebook.discussion.models import PSEUDONYMOUS
from casebook.groups import joining
from casebook.groups.models import Group
from tests.accounts.pages import find_user, hidden_value
from tests.conftest import db, post_form, register, sign_in, signed_in
from tests.factories import PASSWORD, make_discussion
from tests.groups.conftest import membership, text


def links(response, name: str) -> list[str]:
    """The hrefs of every link whose text is ``name``."""
    html = response.get_data(as_text=True)
    return [unescape(href) for href, label in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>',
                                                         html) if label.strip() == name]


def invitation_box(response) -> str | None:
    """The text of the invitation box, or None when the page has none."""
    html = response.get_data(as_text=True)
    match = re.search(r'<section class="notice invitation".*?</section>', html, flags=re.S)
    if match is None:
        return None
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def open_invite_signed_out(app, code: str):
    """A new signed-out visitor opens the link and follows the redirect to sign in."""
    visitor = app.test_client()
    response = visitor.get(f"/join/{code}")
    assert response.status_code == 302
    return visitor, visitor.get(response.headers["Location"])


def test_a_signed_out_invite_shows_the_group_on_the_sign_in_page(app, world):
    _, page = open_invite_signed_out(app, world.code)

    box = invitation_box(page)
    assert box is not None
    assert "You are invited to join Ethics seminar" in box
    assert "Kind of group Seminar" in box
    assert "Facilitator Fay Facilitator" in box
    assert "How you appear By your display name, to everyone in the group." in box
    # Members are never listed, neither in the box nor anywhere on the page.
    assert "Mo Moderator" not in text(page)
    assert "Pat Participant" not in text(page)


def test_next_is_carried_by_every_link_and_form_on_both_pages(app, world):
    visitor, sign_in_page = open_invite_signed_out(app, world.code)
    target = f"/join/{world.code}"
    quoted = f"next=/join/{world.code}"

    assert hidden_value(sign_in_page, "next") == target
    # "Create an account" in the page and "Create account" in the header.
    assert links(sign_in_page, "Create an account") == [f"/account/register?{quoted}"]
    assert links(sign_in_page, "Create account") == [f"/account/register?{quoted}"]

    register_page = visitor.get(f"/account/register?{quoted}")
    assert "You are invited to join Ethics seminar" in invitation_box(register_page)
    assert hidden_value(register_page, "next") == target
    assert links(register_page, "Sign in") == [f"/account/sign-in?{quoted}"] * 2

    # Without next the links stay plain.
    plain = app.test_client().get("/account/sign-in")
    assert links(plain, "Create an account") == ["/account/register"]
    assert invitation_box(plain) is None


def test_registering_from_an_invite_leads_to_the_join_page_and_joining(app, world):
    visitor, _ = open_invite_signed_out(app, world.code)
    target = f"/join/{world.code}"
    page_url = f"/account/register?next=%2Fjoin%2F{world.code}"

    response = post_form(visitor, page_url, "/account/register", {
        "display_name": "Nia Newcomer", "email": "nia@example.org", "password": PASSWORD,
        "confirm": PASSWORD, "next": target,
    })
    assert response.status_code == 302
    assert response.headers["Location"] == target

    confirm = visitor.get(target)
    assert "Ethics seminar" in text(confirm)
    assert "Join this group" in text(confirm)

    joined = post_form(visitor, target, target)
    assert joined.headers["Location"] == f"/groups/{world.group}"
    nia = find_user(app, "nia@example.org")
    assert membership(app, world.group, nia.id).is_active


def test_signing_in_from_an_invite_leads_to_the_join_page(app, world, newcomer):
    visitor, page = open_invite_signed_out(app, world.code)
    response = post_form(visitor, page.request.full_path, "/account/sign-in", {
        "email": newcomer.email, "password": PASSWORD, "next": hidden_value(page, "next"),
    })
    assert response.headers["Location"] == f"/join/{world.code}"


@pytest.mark.parametrize("next_value", [
    "/join/NOTACODE", "/join/ABCDEFGH", "/join/{code}/extra", "/groups/{group}",
    "//evil.example/join/{code}", "https://evil.example/join/{code}", "/join",
])
def test_anything_but_a_valid_invite_link_shows_no_box(app, world, next_value):
    next_value = next_value.format(code=world.code, group=world.group)
    for page in ("/account/sign-in", "/account/register"):
        response = app.test_client().get(page, query_string={"next": next_value})
        assert response.status_code == 200
        assert invitation_box(response) is None
        assert "Ethics seminar" not in text(response)
        assert "Fay Facilitator" not in text(response)


def test_an_expired_or_switched_off_code_shows_no_box(app, world):
    with db(app) as session:
        group = session.get(Group, world.group)
        joining.set_code_expiry(session, group, utcnow() + timedelta(minutes=1))
        group.join_code_expires_at = utcnow() - timedelta(minutes=1)
        session.commit()
    page = app.test_client().get(f"/account/sign-in?next=/join/{world.code}")
    assert invitation_box(page) is None

    with db(app) as session:
        joining.disable_code(session, session.get(Group, world.group))
    page = app.test_client().get(f"/account/register?next=/join/{world.code}")
    assert invitation_box(page) is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_an_off_site_next_is_still_refused_on_both_pages(app, world, target):
    visitor = app.test_client()
    for page in ("/account/sign-in", "/account/register"):
        response = visitor.get(page, query_string={"next": target})
        assert hidden_value(response, "next") == ""
        assert links(response, "Create account") == ["/account/register"]
    registered = post_form(visitor, "/account/register", "/account/register", {
        "display_name": "Nia Newcomer", "email": "nia@example.org", "password": PASSWORD,
        "confirm": PASSWORD, "next": target,
    })
    assert registered.headers["Location"] == "/"


def test_without_next_members_land_on_my_groups_and_others_on_home(app, world, newcomer):
    member = app.test_client()
    assert sign_in(member, email="pat.participant@example.org").headers["Location"] == "/groups/"
    outsider = app.test_client()
    assert sign_in(outsider, email=newcomer.email).headers["Location"] == "/"
    fresh = app.test_client()
    assert register(fresh, email="new@example.org").headers["Location"] == "/"


def test_someone_who_left_every_group_lands_on_home(app, world, as_):
    pat = as_("pat")
    post_form(pat, f"/groups/{world.group}", f"/groups/{world.group}/leave")
    assert sign_in(app.test_client(),
                   email="pat.participant@example.org").headers["Location"] == "/"


def test_a_signed_in_visitor_on_register_with_next_goes_straight_there(app, world, newcomer):
    nia = signed_in(app, newcomer)
    response = nia.get(f"/account/register?next=/join/{world.code}")
    assert response.headers["Location"] == f"/join/{world.code}"


def test_pseudonymous_groups_say_how_participants_appear(app, world, cases):
    with db(app) as session:
        group = session.get(Group, world.group)
        fay = world.users["fay"]
        make_discussion(session, group, fay, identity=PSEUDONYMOUS)
    box = invitation_box(app.test_client().get(f"/account/sign-in?next=/join/{world.code}"))
    assert "Kind of group Seminar, pseudonymous" in box
    assert ("How you appear As “Participant” and a number to other participants; "
            "facilitators and moderators see your display name.") in box
    # Facilitators post under their own name even here, so they are named.
    assert "Facilitator Fay Facilitator" in box
    assert "Pat Participant" not in box and "Participant 3" not in box

    with db(app) as session:
        make_discussion(session, session.get(Group, world.group), fay)
    box = invitation_box(app.test_client().get(f"/account/sign-in?next=/join/{world.code}"))
    assert "It depends on the discussion" in box


def test_an_approval_group_says_facilitators_will_see_the_email(app, world):
    with db(app) as session:
        session.get(Group, world.group).requires_approval = True
        session.commit()
    box = invitation_box(app.test_client().get(f"/account/sign-in?next=/join/{world.code}"))
    assert "when you ask to join they see your display name and email address" in box


def test_invite_pages_are_rate_limited_like_the_link(app, world):
    visitor = app.test_client()
    statuses = [visitor.get(f"/account/sign-in?next=/join/WRONG{i:03d}").status_code
                for i in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    # Plain sign-in page views are not limited by it.
    assert visitor.get("/account/sign-in").status_code == 200
    assert visitor.get("/account/sign-in?next=/groups/").status_code == 200
