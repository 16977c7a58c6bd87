"""Issue 7, item 1, as a participant meets it: under post-first, a peer's answer
stays out of reach through the report form until the participant has answered,
and hostile ids in the address give the ordinary "Page not found" page."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_accessible_and_fits, signed_in_page
from tests.conftest import db

pytestmark = pytest.mark.browser

ANSWER = "Ann's answer: the claim rests on one officer's word."


@pytest.fixture
def seminar(live_app, live_cases):
    with db(live_app) as session:
        world = factories.seminar(session, post_first=True)
        world.answer = factories.post(session, world.thread, world.ann, ANSWER)
        return world


def test_the_report_form_keeps_an_unseen_answer_hidden_until_one_answers(
        new_page, live, seminar):
    s = seminar
    ben = signed_in_page(new_page, live, s.ben.email)
    report_url = f"{live}/groups/{s.gid}/posts/{s.answer.id}/report"

    # Not answered yet: the report form for Ann's answer is not there for Ben.
    ben.goto(report_url)
    expect(ben.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(ben.get_by_text(ANSWER)).to_have_count(0)
    assert_accessible_and_fits(ben)

    # An id too large for the database is the same ordinary 404, not an error.
    ben.goto(f"{live}/groups/{s.gid}/posts/{2**63}/report")
    expect(ben.get_by_role("heading", name="Page not found")).to_be_visible()

    # Ben answers through the thread page; now the answer and its report form open.
    ben.goto(f"{live}/groups/{s.gid}/threads/{s.thread.id}")
    expect(ben.get_by_text("Post your answer to see what others wrote")).to_be_visible()
    ben.get_by_label("Your post").fill("Ben's answer: exposure is not justice.")
    ben.get_by_role("button", name="Post", exact=True).click()
    expect(ben.get_by_text("Your post is published.")).to_be_visible()
    expect(ben.get_by_text(ANSWER)).to_be_visible()

    ben.goto(report_url)
    expect(ben.get_by_role("heading", name="Report a post")).to_be_visible()
    expect(ben.get_by_text(ANSWER)).to_be_visible()
    assert_accessible_and_fits(ben)
