"""A participant answers the before poll, posts (which locks it), answers the after
poll once the facilitator opens the last stage; the facilitator reads the chart
and table of the results."""

import re

import pytest
from playwright.sync_api import expect

from casebook.discussion.models import STAGED
from tests import factories
from tests.browser.conftest import assert_accessible_and_fits, signed_in_page
from tests.conftest import db

pytestmark = pytest.mark.browser

FIRST = "Online vigilante stings do more good than harm."
SECOND = re.compile("^Police should make their arrests of online offenders more visible")


@pytest.fixture
def seminar(live_app, live_cases):
    with db(live_app) as session:
        return factories.seminar(session, release=STAGED)


def test_before_and_after_poll_walked_by_a_participant_and_read_by_the_facilitator(
        live, seminar, new_page):
    discussion_url = f"{live}/groups/{seminar.gid}/discussions/{seminar.discussion.id}"
    ann = signed_in_page(new_page, live, seminar.ann.email, width=390)
    ann.goto(discussion_url)
    invitation = ann.get_by_role("region", name="Before you post: where do you stand?")
    invitation.get_by_role("link", name="Answer the before poll").click()
    expect(ann.get_by_role("heading", level=1)).to_have_text(
        "Where do you stand? Before the discussion")
    expect(ann.get_by_text("once you have given your own")).to_be_visible()
    assert_accessible_and_fits(ann)

    # Saving without answering the second statement names it at the top.
    first = ann.get_by_role("group", name=FIRST)
    first.get_by_label("Disagree", exact=True).check()
    first.get_by_label("Why? (optional, one line)").fill("Exposure punishes families too")
    ann.get_by_role("button", name="Save my answers").click()
    expect(ann.get_by_role("alert")).to_contain_text("Choose where you stand")
    assert_accessible_and_fits(ann)
    ann.get_by_role("group", name=SECOND).get_by_label("Agree", exact=True).check()
    ann.get_by_role("button", name="Save my answers").click()
    expect(ann.get_by_text("Your answers are saved")).to_be_visible()
    group_counts = ann.get_by_role("region", name="Where the group stands")
    expect(group_counts.get_by_role("table").first).to_contain_text("Disagree")
    assert_accessible_and_fits(ann)

    # Posting locks the before answers.
    ann.goto(discussion_url)
    ann.get_by_role("link", name=re.compile(r"^What exactly did DS Andy Nash claim")).click()
    ann.get_by_label("Your post").fill("The report does not show what he claims.")
    ann.get_by_role("button", name="Post", exact=True).click()
    expect(ann.get_by_text("The report does not show what he claims.")).to_be_visible()
    ann.goto(discussion_url + "/poll/before")
    expect(ann.get_by_text("locked: you have posted")).to_be_visible()
    expect(ann.get_by_role("button", name="Save my answers")).to_have_count(0)
    ann.goto(discussion_url + "/poll/after")
    expect(ann.get_by_text("opens when the last stage of the discussion opens")).to_be_visible()

    fac = signed_in_page(new_page, live, seminar.fac.email)
    fac.goto(discussion_url)
    for _ in range(4):
        fac.get_by_role("button", name=re.compile("^Open the next stage")).click()
        expect(fac.get_by_text("is open: participants can see")).to_be_visible()
    expect(fac.get_by_role("button", name=re.compile("^Open the next stage"))).to_have_count(0)

    ann.goto(discussion_url)
    ann.get_by_role("region", name="After the discussion: where do you stand now?") \
        .get_by_role("link", name="Answer the after poll").click()
    ann.get_by_role("group", name=FIRST).get_by_label("Agree", exact=True).check()
    ann.get_by_role("group", name=SECOND).get_by_label("Agree", exact=True).check()
    ann.get_by_role("button", name="Save my answers").click()
    expect(ann.get_by_text("Your answers are saved")).to_be_visible()
    assert_accessible_and_fits(ann)

    fac.goto(discussion_url)
    fac.get_by_role("link", name="Poll results: before and after").click()
    chart = fac.get_by_role("img", name=f"Before and after: {FIRST}")
    expect(chart).to_be_visible()
    statement = fac.get_by_role("region", name=FIRST)
    expect(statement.get_by_text("1 moved toward agree")).to_be_visible()
    table = statement.get_by_role("table", name=re.compile("^Answers before"))
    expect(table.get_by_role("row", name=re.compile("^Disagree 1 0"))).to_be_visible()
    expect(statement.get_by_role("cell", name="Exposure punishes families too")).to_be_visible()
    assert_accessible_and_fits(fac)
