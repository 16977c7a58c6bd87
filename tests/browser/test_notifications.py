"""A reply to a member's post shows as a badge in the header; the notifications
page names the replier and leads to the reply, after which the badge is gone."""

import re

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from tests.browser.conftest import assert_accessible_and_fits, signed_in_page
from tests.factories import add_member, make_discussion, make_group, make_user, post

pytestmark = pytest.mark.browser


@pytest.fixture
def replied(live_app, live_cases):
    with live_app.app_context():
        session = get_session()
        fac = make_user(session, "Fay Facilitator")
        ann = make_user(session, "Ann Example")
        ben = make_user(session, "Ben Other")
        group = make_group(session, fac)
        add_member(session, group, ann)
        add_member(session, group, ben)
        thread = make_discussion(session, group, fac).threads[0]
        mine = post(session, thread, ann, "Exposing a suspect online risks the trial.")
        post(session, thread, ben, "But the police had not acted.", reply_to=mine)
        return ann.email


def test_the_badge_leads_to_the_reply(live, replied, new_page):
    page = signed_in_page(new_page, live, replied)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Notifications (1)").click()

    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    expect(page.get_by_text("1 unread.")).to_be_visible()
    assert_accessible_and_fits(page)
    page.get_by_role("button", name=re.compile("Ben Other replied to your post")).click()

    expect(page.get_by_text("But the police had not acted.")).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    page.go_back()
    page.reload()
    expect(page.get_by_text("1 unread.")).to_have_count(0)
    assert_accessible_and_fits(page)
