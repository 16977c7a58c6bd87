"""A newcomer's first visit, as a person would make it, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_register_sign_in_and_read_a_case_through_its_content_note(page, live, live_cases):
    page.goto(live + "/")
    assert_accessible(page)
    page.get_by_role("link", name="Create account").first.click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Display name").fill("Priya Shah")
    page.get_by_label("Email").fill("Priya@Example.org")
    page.get_by_label("Password", exact=True).fill("a long pass phrase")
    page.get_by_label("Repeat password").fill("a long pass phrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome, Priya Shah.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.get_by_role("link", name="Sign in").first.click()
    assert_accessible(page)
    page.get_by_label("Email").fill("priya@example.org")
    page.get_by_label("Password").fill("a long pass phrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Priya Shah.")).to_be_visible()

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    expect(page.get_by_text("Priya@Example.org", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Enter your current password.", exact=True)).to_be_visible()
    expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_role("link", name="Case library").click()
    expect(page.get_by_role("heading", name="Case library", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Simon", re.I)).click()

    expect(page.get_by_role("heading", name="Content note")).to_be_visible()
    expect(page.get_by_role("heading", name="Prompts for discussion")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Continue to the case").click()

    expect(page.get_by_role("heading", name="Prompts for discussion")).to_be_visible()
    for stage in ("Understand the case", "Stakeholders", "Ethical lenses", "Decide", "Reflect"):
        expect(page.get_by_role("heading", name=re.compile(rf"\d\. {stage}$"))).to_be_visible()
    expect(page.get_by_role("heading", name="If this case affects you")).to_be_visible()
    expect(page.get_by_role("link", name="0808 1000 900")).to_be_visible()
    assert_accessible(page)


def test_library_filters_by_theme_and_word(page, live, live_cases):
    page.goto(live + "/cases/")
    expect(page.get_by_role("status")).to_contain_text("4 cases")
    page.get_by_label("Theme").select_option("vigilantism")
    page.get_by_role("button", name="Show cases").click()
    expect(page.get_by_role("status")).to_contain_text("1 case with the theme “vigilantism”")
    expect(page.get_by_role("link", name=re.compile("Online vigilantes"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Simon"))).to_have_count(0)

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Search by word").fill("CEOP")
    page.get_by_role("button", name="Show cases").click()
    expect(page.get_by_role("status")).to_contain_text("1 case matching “CEOP”")
    expect(page.get_by_role("link", name=re.compile("Doing what works"))).to_be_visible()
    assert_accessible(page)


def test_support_and_error_pages_are_accessible(page, live, live_cases):
    page.goto(live + "/support")
    expect(page.get_by_role("heading", name="About and support")).to_be_visible()
    expect(page.get_by_role("link", name="116 123")).to_be_visible()
    assert_accessible(page)
    response = page.goto(live + "/cases/no-such-case")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert_accessible(page)
