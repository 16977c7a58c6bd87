"""A member searches for a word from the header and finds their group's post with
the word highlighted, but neither a post of another group nor a hidden one;
the case library finds a case by a word of its text."""

import re

import pytest
from playwright.sync_api import expect

from casebook.discussion.models import HIDDEN
from tests.browser.conftest import assert_accessible_and_fits, signed_in_page
from tests.conftest import db
from tests.factories import post, seminar

pytestmark = pytest.mark.browser


@pytest.fixture
def groups(live_app, live_cases):
    with db(live_app) as session:
        world = seminar(session)
        post(session, world.thread, world.ben, "Publishing the chat logs breached proportionality.")
        hidden = post(session, world.thread, world.ben, "Hidden remark on proportionality.")
        hidden.status = HIDDEN
        post(session, world.other_thread, world.out, "Another group's note on proportionality.")
        session.commit()
        return world


@pytest.mark.parametrize("width", [1280, 390])
def test_member_finds_their_groups_post_highlighted_and_nothing_else(
        live, groups, new_page, width):
    ann = signed_in_page(new_page, live, groups.ann.email, width=width)
    ann.get_by_label("Search posts in your groups").fill("proportionality")
    ann.get_by_label("Search posts in your groups").press("Enter")
    expect(ann.get_by_role("heading", name="Search posts")).to_be_visible()
    expect(ann.get_by_role("status")).to_have_text(re.compile(r"^1 post matching"))
    results = ann.locator(".search-results")
    expect(results.locator("mark")).to_have_text("proportionality")
    expect(results).to_contain_text("Publishing the chat logs breached")
    expect(results).to_contain_text("Ben Other")
    expect(ann.get_by_text("Hidden remark")).to_have_count(0)
    expect(ann.get_by_text("Another group's note")).to_have_count(0)
    assert_accessible_and_fits(ann)

    # The search page's own form keeps the words; the result leads to the post.
    expect(ann.get_by_label("Words to find")).to_have_value("proportionality")
    ann.get_by_label("Where").select_option(label="Ethics seminar")
    ann.get_by_role("button", name="Search").click()
    expect(ann.get_by_role("status")).to_have_text(re.compile(r"^1 post matching"))
    results.get_by_role("link").first.click()
    expect(ann.get_by_text("Publishing the chat logs breached proportionality.")).to_be_visible()


def test_case_library_finds_a_case_by_a_word_of_its_text(live, live_cases, new_page):
    page = new_page()
    page.goto(f"{live}/cases/")
    page.get_by_label("Search by word").fill("undercover")
    page.get_by_role("button", name="Show cases").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"matching “undercover”"))
    expect(page.locator(".case-card")).not_to_have_count(0)
    assert_accessible_and_fits(page)
