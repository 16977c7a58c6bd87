"""An author tags a post by its labels and filters the thread by a tag; the
facilitator sees which lenses are untouched, gives out stakeholder roles at
random, and a participant argues in hers."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible_and_fits, signed_in_page

pytestmark = pytest.mark.browser

FIRST_PROMPT = re.compile(r"^What exactly did DS Andy Nash claim")
STAKEHOLDER_PROMPT = re.compile(r"^Who gains and who loses when a suspect is exposed")


def test_tags_coverage_and_stakeholder_roles(live, seminar, new_page):
    discussion_url = f"{live}/groups/{seminar.gid}/discussions/{seminar.discussion.id}"
    ann = signed_in_page(new_page, live, seminar.ann.email, width=390)
    ann.goto(discussion_url)
    ann.get_by_role("link", name=FIRST_PROMPT).click()
    ann.get_by_label("Your post").fill("He claimed offenders fear the groups more than police.")
    tags = ann.get_by_role("group", name="Tag this post")
    tags.get_by_role("group", name="Lenses").get_by_label("Rights and duties").check()
    tags.get_by_role("group", name="Stakeholders").get_by_label("Online vigilante groups").check()
    assert_accessible_and_fits(ann)
    ann.get_by_role("button", name="Post").click()
    expect(ann.get_by_text("Your post is published.")).to_be_visible()
    post = ann.locator("article.post").first
    expect(post.get_by_role("list", name="Tags of post 1")).to_be_visible()

    ann.get_by_text("Show posts tagged…").click()
    ann.get_by_role("link", name="Show posts tagged Care").click()
    expect(ann.get_by_role("heading", name="Posts tagged Care")).to_be_visible()
    expect(ann.get_by_text("No posts you can see here are tagged Care.")).to_be_visible()
    post_link = ann.get_by_role("link", name="Show all posts")
    post_link.click()
    ann.locator("article.post").first.get_by_role(
        "link", name="Show posts tagged Rights and duties").click()
    expect(ann.get_by_role("heading", name="Posts tagged Rights and duties")).to_be_visible()
    expect(ann.get_by_text("He claimed offenders fear the groups")).to_be_visible()
    assert_accessible_and_fits(ann)

    fac = signed_in_page(new_page, live, seminar.fac.email)
    fac.goto(discussion_url)
    coverage = fac.get_by_role("region", name="Coverage")
    expect(coverage.get_by_text(re.compile(r"^Not yet argued: Consequences, Justice"))) \
        .to_be_visible()
    expect(coverage.get_by_role("table", name="Posts per lens")
           .get_by_role("row", name="Rights and duties 1")).to_be_visible()
    assert_accessible_and_fits(fac)

    fac.get_by_role("link", name="Stakeholder roles").click()
    expect(fac.get_by_role("heading", level=1, name="Stakeholder roles")).to_be_visible()
    assert_accessible_and_fits(fac)
    fac.get_by_role("button", name="Assign roles at random").click()
    expect(fac.get_by_text("Roles assigned at random to 2 participants.")).to_be_visible()
    role = fac.get_by_label("Ann Example").evaluate("s => s.options[s.selectedIndex].text")
    assert role != "No role"
    assert_accessible_and_fits(fac)

    ann.goto(discussion_url)
    expect(ann.get_by_role("heading", name=f"Your role: {role}")).to_be_visible()
    ann.get_by_role("link", name=STAKEHOLDER_PROMPT).click()
    expect(ann.get_by_role("heading", name=f"Your role: {role}")).to_be_visible()
    ann.get_by_label("Your post").fill("From where I stand, exposure is the point.")
    ann.get_by_role("button", name="Post").click()
    expect(ann.get_by_text("Your post is published.")).to_be_visible()
    expect(ann.locator("article.post").first.get_by_text(f"Speaking as {role}")).to_be_visible()
    assert_accessible_and_fits(ann)

    fac.goto(discussion_url)
    roles = fac.get_by_role("table", name="Roles voiced in the stakeholders stage")
    expect(roles.get_by_role("row", name=re.compile(rf"^{re.escape(role)} 1 1"))) \
        .to_be_visible()
