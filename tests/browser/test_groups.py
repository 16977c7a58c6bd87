"""A facilitator creates a group and a second person joins it with the code, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def sign_in(page, live, email):
    page.goto(live + "/account/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def test_create_a_group_and_join_it_with_the_code(live_app, live, new_page):
    from casebook.db import get_session

    with live_app.app_context():
        session = get_session()
        fay = make_user(session, "Fay Facilitator").email
        nia = make_user(session, "Nia Newcomer").email

    facilitator = new_page()
    sign_in(facilitator, live, fay)
    facilitator.get_by_role("link", name="My groups").click()
    expect(facilitator.get_by_text("You are not in any group yet.")).to_be_visible()
    assert_accessible(facilitator)

    facilitator.get_by_role("link", name="Create a group").first.click()
    expect(facilitator.get_by_role("heading", name="Create a group", level=1)).to_be_visible()
    facilitator.get_by_role("button", name="Create group").click()  # nothing filled in
    expect(facilitator.get_by_role("alert")).to_contain_text("Enter a name for the group.")
    assert_accessible(facilitator)

    facilitator.get_by_label("Name").fill("Policing and technology")
    facilitator.get_by_label("Description").fill("Week 3: *read the case first*.")
    # The preset, not the "Kind of group (for Custom)" radio of the same name.
    facilitator.get_by_role("group", name="Preset").get_by_label("Police training").check()
    facilitator.get_by_role("button", name="Create group").click()

    expect(facilitator.get_by_role("heading", name="Policing and technology", level=1)
           ).to_be_visible()
    expect(facilitator.get_by_text("Your role: Facilitator")).to_be_visible()
    code = facilitator.locator(".join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    assert_accessible(facilitator)

    person = new_page()
    sign_in(person, live, nia)
    person.get_by_role("link", name="My groups").click()
    person.get_by_role("link", name="Join with a code").first.click()
    expect(person.get_by_role("heading", name="Join a group")).to_be_visible()
    person.get_by_label("Join code").fill("NOPE-NOPE")
    person.get_by_role("button", name="Continue").click()
    expect(person.get_by_role("alert")).to_contain_text("That code doesn't open a group.")
    assert_accessible(person)

    person.get_by_label("Join code").fill(code.lower().replace("-", " "))
    person.get_by_role("button", name="Continue").click()
    expect(person.get_by_role("heading", name="Policing and technology")).to_be_visible()
    expect(person.get_by_text("Police training")).to_be_visible()
    assert_accessible(person)
    person.get_by_role("button", name="Join this group").click()

    expect(person.get_by_text("You joined Policing and technology as a participant.")
           ).to_be_visible()
    expect(person.get_by_text("Your role: Participant")).to_be_visible()
    expect(person.get_by_role("link", name="Members", exact=True)).to_have_count(0)
    assert_accessible(person)

    facilitator.reload()
    facilitator.get_by_role("link", name="Members", exact=True).click()
    expect(facilitator.get_by_role("heading", name="Members", level=1)).to_be_visible()
    row = facilitator.get_by_role("row").filter(has_text="Nia Newcomer")
    expect(row).to_contain_text("Participant 2")
    expect(row).to_contain_text("Participant")
    expect(row.get_by_label("Role for Nia Newcomer")).to_have_value("participant")
    assert_accessible(facilitator)

    facilitator.go_back()
    facilitator.get_by_role("link", name="Settings", exact=True).click()
    expect(facilitator.get_by_role("heading", name="Group settings")).to_be_visible()
    expect(facilitator.get_by_label("Name", exact=True)).to_have_value("Policing and technology")
    expect(facilitator.get_by_label("Police training")).to_be_checked()
    assert_accessible(facilitator)
