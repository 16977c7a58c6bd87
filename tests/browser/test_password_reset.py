"""A member who forgot their password asks for a link by email, follows it from the
message the (real, local) SMTP server received, sets a new password and signs in."""

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from tests.browser.conftest import assert_accessible_and_fits
from tests.factories import make_user
from tests.smtp_server import smtp_config

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a fresh and long password"


@pytest.fixture
def mailing_live(live, live_app, smtp, monkeypatch):
    """The live server, sending mail to the local SMTP server for this test."""
    for key, value in smtp_config(smtp).items():
        monkeypatch.setitem(live_app.config, key, value)
    return live


def test_reset_by_emailed_link_then_sign_in(mailing_live, live_app, smtp, new_page):
    live = mailing_live
    with live_app.app_context():
        ann = make_user(get_session(), "Ann Example")

    page = new_page()
    page.goto(live + "/account/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1, name="Reset your password")).to_be_visible()
    expect(page.get_by_text("This site cannot send email yet")).to_have_count(0)
    assert_accessible_and_fits(page)
    page.get_by_label("Email").fill(ann.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()
    assert_accessible_and_fits(page)

    link = smtp.link_to(ann.email, "/account/reset-password/")
    assert link.startswith(live)
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat new password").fill("short")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("link", name="New password: Use at least 10 characters."))\
        .to_be_visible()
    assert_accessible_and_fits(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()

    page.get_by_label("Email").fill(ann.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Ann Example.")).to_be_visible()

    # The link was for one use.
    response = page.goto(link)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1, name="This link no longer works"))\
        .to_be_visible()
    assert_accessible_and_fits(page)
