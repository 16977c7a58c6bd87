"""A reply to a member's post shows as a badge in the header; the notifications
page names the replier and leads to the reply, after which the badge is gone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible_and_fits, signed_in_page
from tests.conftest import db
from tests.factories import post, seminar

pytestmark = pytest.mark.browser


@pytest.fixture
def replied(live_app, live_cases):
    with db(live_app) as session:
        world = seminar(session)
        mine = post(session, world.thread, world.ann, "Exposing a suspect online risks the trial.")
        post(session, world.thread, world.ben, "But the police had not acted.", reply_to=mine)
        return world.ann.email


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


def test_choosing_email_settings_and_unsubscribing(live, live_app, replied, new_page):
    from casebook.accounts.service import find_by_email
    from casebook.notifications.service import unsubscribe_token

    page = signed_in_page(new_page, live, replied)
    page.goto(live + "/account/")
    settings = page.get_by_role("group", name="Email me about notifications")
    expect(settings.get_by_label(re.compile("^As each group suggests"))).to_be_checked()
    settings.get_by_label(re.compile("^Immediately")).check()
    page.get_by_role("button", name="Save email settings").click()
    expect(page.get_by_text("Your email settings are saved.")).to_be_visible()
    expect(settings.get_by_label(re.compile("^Immediately"))).to_be_checked()
    assert_accessible_and_fits(page)

    with live_app.app_context():
        from casebook.db import get_session

        token = unsubscribe_token(find_by_email(get_session(), replied))
    mail_reader = new_page()
    mail_reader.goto(f"{live}/notifications/unsubscribe/{token}")
    expect(mail_reader.get_by_role("heading", level=1, name="Stop notification emails"))\
        .to_be_visible()
    assert_accessible_and_fits(mail_reader)
    mail_reader.get_by_role("button", name="Stop emails").click()
    expect(mail_reader.get_by_role("heading", level=1, name="Emails stopped")).to_be_visible()
    assert_accessible_and_fits(mail_reader)

    page.reload()
    expect(settings.get_by_label(re.compile("^Never"))).to_be_checked()
