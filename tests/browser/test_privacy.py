"""Privacy rights in Chromium: a member downloads their data from the account page; a
facilitator archives a group, then deletes it after a wrong and a right name."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from casebook.groups.models import Group
from tests import factories
from tests.browser.conftest import assert_accessible
from tests.browser.test_discussion import open_group, sign_in
from tests.conftest import db

pytestmark = pytest.mark.browser


@pytest.fixture
def seminar(live_app, live_cases):
    with db(live_app) as session:
        world = factories.seminar(session)
        factories.post(session, world.thread, world.ann, "Exposure before any trial is punishment.")
        return world


def test_a_member_downloads_their_data(live, seminar, new_page):
    ann = seminar.ann
    page = new_page()
    sign_in(page, live, ann.email)

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download my data").click()

    download = info.value
    assert re.fullmatch(r"casebook-my-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == ann.email
    assert [p["body_markdown"] for p in data["posts"]] == [
        "Exposure before any trial is punishment."]
    assert data["posts"][0]["group"] == "Ethics seminar"


def test_a_facilitator_archives_then_deletes_a_group(live, live_app, seminar, new_page):
    fay, gid = seminar.fac, seminar.gid
    page = new_page()
    sign_in(page, live, fay.email)
    open_group(page, "Ethics seminar")

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Group settings")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Archive the group").click()
    expect(page.get_by_text("This group is archived: everyone can read it")).to_be_visible()
    expect(page.get_by_role("link", name="Start a discussion")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Delete this group").click()
    expect(page.get_by_role("heading", name="Delete “Ethics seminar”")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Type the group's name to confirm").fill("ethics seminar")
    page.get_by_role("button", name="Delete the group for good").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not the group's name.")
    assert_accessible(page)
    with live_app.app_context():
        assert get_session().get(Group, gid) is not None

    page.get_by_label("Type the group's name to confirm").fill("Ethics seminar")
    page.get_by_role("button", name="Delete the group for good").click()
    expect(page.get_by_text("“Ethics seminar” and everything in it have been deleted.")
           ).to_be_visible()
    expect(page.get_by_role("link", name="Ethics seminar")).to_have_count(0)
    assert_accessible(page)
    with live_app.app_context():
        assert get_session().get(Group, gid) is None
