"""An author tags a post by its labels and filters the thread by a tag; the
facilitator sees which lenses are untouched, gives out stakeholder roles at
random, and a participant argues in hers."""

import re

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from casebook.groups.models import Group
from tests.browser.conftest import assert_accessible_and_fits, signed_in_page
from tests.factories import add_member, make_discussion, make_group, make_user

pytestmark = pytest.mark.browser

FIRST_PROMPT = re.compile(r"^What exactly did DS Andy Nash claim")
STAKEHOLDER_PROMPT = re.compile(r"^Who gains and who loses when a suspect is exposed")


@pytest.fixture
def seminar(live_app, live_cases):
    with live_app.app_context():
        session = get_session()
        fac = make_user(session, "Fay Facilitator")
        ann = make_user(session, "Ann Example")
        ben = make_user(session, "Ben Other")
        group = make_group(session, fac, name="Ethics seminar")
        add_member(session, group, ann)
        add_member(session, group, ben)
        discussion = make_discussion(session, group, fac)
        gid = session.get(Group, group.id).id
        return {"url": f"/groups/{gid}/discussions/{discussion.id}", "fac": fac.email,
                "ann": ann.email}


def test_tags_coverage_and_stakeholder_roles(live, seminar, new_page):
    ann = signed_in_page(new_page, live, seminar["ann"], width=390)
    ann.goto(live + seminar["url"])
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

    fac = signed_in_page(new_page, live, seminar["fac"])
    fac.goto(live + seminar["url"])
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

    ann.goto(live + seminar["url"])
    expect(ann.get_by_role("heading", name=f"Your role: {role}")).to_be_visible()
    ann.get_by_role("link", name=STAKEHOLDER_PROMPT).click()
    expect(ann.get_by_role("heading", name=f"Your role: {role}")).to_be_visible()
    ann.get_by_label("Your post").fill("From where I stand, exposure is the point.")
    ann.get_by_role("button", name="Post").click()
    expect(ann.get_by_text("Your post is published.")).to_be_visible()
    expect(ann.locator("article.post").first.get_by_text(f"Speaking as {role}")).to_be_visible()
    assert_accessible_and_fits(ann)

    fac.goto(live + seminar["url"])
    roles = fac.get_by_role("table", name="Roles voiced in the stakeholders stage")
    expect(roles.get_by_role("row", name=re.compile(rf"^{re.escape(role)} 1 1"))) \
        .to_be_visible()
