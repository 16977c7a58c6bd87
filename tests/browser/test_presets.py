"""A preset fills the settings it names, and each stays editable, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_groups import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_the_police_training_preset_fills_the_group_settings(live_app, live, new_page):
    from casebook.db import get_session

    with live_app.app_context():
        fay = make_user(get_session(), "Fay Facilitator").email

    page = new_page()
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, live, fay)
    page.goto(live + "/groups/new")
    presets = page.get_by_role("group", name="Preset")
    expect(presets.get_by_text("first posts wait for a moderator", exact=False)).to_be_visible()
    assert_accessible(page)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.get_by_label("Name").fill("Response officers")
    presets.get_by_label("Police training").check()
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", name="Response officers", level=1)).to_be_visible()

    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_label("For a member's first posts")).to_be_checked()
    identity = page.get_by_role("group", name="Identity in new discussions")
    expect(identity.get_by_label("Pseudonymous to peers")).to_be_checked()
    expect(page.get_by_label("Stage by stage", exact=False)).to_be_checked()
    expect(page.get_by_label("Post first in new discussions")).to_be_checked()
    expect(page.get_by_label("Keep the National Decision Model", exact=False)).to_be_checked()
    assert_accessible(page)

    # Editable afterwards: all stages open from now on.
    page.get_by_label("All stages open", exact=False).check()
    page.get_by_role("button", name="Save settings").click()
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_label("All stages open", exact=False)).to_be_checked()
