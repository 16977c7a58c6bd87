"""Someone without an account follows an invite link, creates an account, joins the
group and answers a prompt, in one flow, at desktop and phone widths, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from casebook.discussion.models import PSEUDONYMOUS
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, add_member, make_discussion, make_group, make_user

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def check(page, phone: bool) -> None:
    """axe clean, and on a phone nothing wider than the screen."""
    assert_accessible(page)
    if phone:
        widths = page.evaluate("[document.documentElement.scrollWidth,"
                               " document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


@pytest.mark.parametrize("width", WIDTHS)
def test_invite_link_to_a_posted_answer(live, live_app, live_cases, new_page, width):
    with live_app.app_context():
        session = get_session()
        fay = make_user(session, "Fay Facilitator")
        pat = make_user(session, "Pat Participant")
        group = make_group(session, fay, name="Ethics seminar")
        add_member(session, group, pat)
        make_discussion(session, group, fay, identity=PSEUDONYMOUS)
        link = f"{live}/join/{group.join_code}"
    phone = width == "phone"
    page = new_page()
    page.set_viewport_size(WIDTHS[width])

    # Signed out, the invite link leads to sign-in, which says who invited them.
    page.goto(link)
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    invitation = page.get_by_role("region", name="You are invited to join Ethics seminar")
    expect(invitation).to_contain_text("Fay Facilitator")
    expect(invitation).to_contain_text("Seminar, pseudonymous")
    expect(invitation).to_contain_text("“Participant” and a number")
    expect(page.get_by_text("Pat Participant")).to_have_count(0)
    check(page, phone)

    page.get_by_role("link", name="Create an account", exact=True).click()
    expect(page.get_by_role("heading", name="Create an account", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="You are invited to join Ethics seminar")
           ).to_be_visible()
    check(page, phone)

    page.get_by_label("Display name").fill("Nia Newcomer")
    page.get_by_label("Email").fill(f"nia.{width}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # Straight to the join confirmation for that group.
    expect(page.get_by_text("Welcome, Nia Newcomer. Your account is ready.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ethics seminar", level=1)).to_be_visible()
    check(page, phone)
    page.get_by_role("button", name="Join this group").click()
    expect(page.get_by_text("You joined Ethics seminar as a participant.")).to_be_visible()
    check(page, phone)

    page.get_by_role("link", name=re.compile("Online vigilantes")).first.click()
    check(page, phone)
    page.get_by_role("link", name=re.compile("^What exactly did DS Andy Nash claim")).click()
    page.get_by_label("Your post").fill("Publishing names before any charge risks the case.")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    expect(page.locator(".post-body", has_text="Publishing names before any charge")
           ).to_be_visible()
    check(page, phone)
