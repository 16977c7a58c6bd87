"""Someone outside a group finds nothing there: every one of its URLs is a 404."""

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD
from tests.test_authorization_matrix import MATRIX, build_world, url_for_check

pytestmark = pytest.mark.browser


def test_an_outsider_gets_not_found_on_every_url_of_the_group(page, live, live_app):
    with live_app.app_context():
        world = build_world(get_session())
        outsider = world["users"]["outsider"].email
    group_urls = {
        (check.method, url_for_check(live_app, endpoint, check, world))
        for endpoint, checks in MATRIX.items()
        for check in checks
        if "group_id" in check.args
    }
    assert len(group_urls) > 40

    page.goto(live + "/account/sign-in")
    page.get_by_label("Email").fill(outsider)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Otto Outsider.")).to_be_visible()
    # A real token from this person's own session, so refusals come from the
    # group check and not from CSRF protection.
    page.goto(live + "/account/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")

    for method, url in sorted(group_urls):
        if method == "GET":
            response = page.goto(live + url)
            assert response.status == 404, f"GET {url}: {response.status}"
            expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        else:
            response = page.request.post(live + url, form={"csrf_token": token},
                                         headers={"Referer": live + "/account/"})
            assert response.status == 404, f"POST {url}: {response.status}"
    assert_accessible(page)
