"""The 429 page as a person meets it: branded, accessible, clean under the CSP,
and saying when to try again."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


def test_too_many_sign_in_attempts_show_when_to_try_again(page, live):
    page.goto(live + "/account/sign-in")
    # The live app keeps the default: five tries at one account a minute.
    for attempt in range(6):
        page.get_by_label("Email").fill("ann@example.org")
        page.get_by_label("Password").fill("a wrong password")
        with page.expect_response(re.compile(r"/account/sign-in$")) as answer:
            page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if attempt < 5:
            assert answer.value.status == 422
            expect(page.locator("#password-error")).to_have_text(
                "That email and password do not match an account.")

    assert answer.value.status == 429
    assert 1 <= int(answer.value.headers["retry-after"]) <= 60
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")
    expect(page.get_by_text(re.compile(r"Please try again in (1 second|about \d+ seconds|"
                                       r"1 minute)\."))).to_be_visible()
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
    assert_accessible(page)
