"""A facilitator copies a library case into her group, rewrites a prompt with a
preview, saves, downloads it as a case file and starts a discussion on it; a
member of another group finds no such page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casebook.cases.loader import parse_case_text
from casebook.db import get_session
from casebook.groups.models import Group
from tests.browser.conftest import assert_accessible_and_fits, signed_in_page
from tests.factories import make_group, make_user

pytestmark = pytest.mark.browser

TITLE = "Online vigilantes: feared more than the police?"
NEW_PROMPT = "Should this force work with the *local* group, and on what terms?"


@pytest.fixture
def groups(live_app, live_cases):
    with live_app.app_context():
        session = get_session()
        fac = make_user(session, "Fay Facilitator")
        oscar = make_user(session, "Oscar Other")
        group = make_group(session, fac, name="Ethics seminar")
        make_group(session, oscar, name="Reading group")
        return {"gid": session.get(Group, group.id).id, "fac": fac.email,
                "oscar": oscar.email}


def test_facilitator_copies_edits_downloads_and_discusses_a_group_case(live, groups, new_page):
    fac = signed_in_page(new_page, live, groups["fac"])
    fac.goto(f"{live}/cases/")
    fac.get_by_role("link", name=TITLE).click()
    fac.get_by_role("link", name="Copy to my group").click()
    expect(fac.get_by_label("Copy into")).to_have_value(str(groups["gid"]))
    fac.get_by_role("button", name="Copy to my group").click()
    expect(fac.get_by_text("is copied into Ethics seminar")).to_be_visible()
    expect(fac.get_by_role("heading", level=1)).to_contain_text("Edit")
    assert_accessible_and_fits(fac)

    fac.get_by_label("Decide: prompt 1", exact=True).fill(NEW_PROMPT)
    fac.get_by_role("button", name="Preview").click()
    preview = fac.get_by_role("region", name="Preview")
    expect(preview.locator("em", has_text="local")).to_be_visible()
    expect(fac.get_by_label("Decide: prompt 1", exact=True)).to_have_value(NEW_PROMPT)
    assert_accessible_and_fits(fac)

    # An emptied title is refused beside the field, and nothing is saved.
    fac.get_by_label("Title").fill("")
    fac.get_by_role("button", name="Save case").click()
    summary = fac.get_by_role("alert")
    expect(summary.get_by_role("link", name="Title: Must be non-empty text.")).to_be_visible()
    assert_accessible_and_fits(fac)
    fac.get_by_label("Title").fill("Vigilantes, for our seminar")
    fac.get_by_role("button", name="Save case").click()
    expect(fac.get_by_text("Only this group can see it")).to_be_visible()
    expect(fac.get_by_role("heading", level=1, name="Vigilantes, for our seminar")).to_be_visible()
    expect(fac.get_by_role("listitem").filter(has_text="on what terms?")).to_be_visible()
    assert_accessible_and_fits(fac)
    case_url = fac.url

    with fac.expect_download() as info:
        fac.get_by_role("link", name="Download as a case file").click()
    assert info.value.suggested_filename == "online-vigilantes.md"
    text = Path(info.value.path()).read_text(encoding="utf-8")
    data = parse_case_text(text, Path("online-vigilantes.md"))
    assert data.title == "Vigilantes, for our seminar"
    assert next(p.text for p in data.prompts if p.stage == "decide") == NEW_PROMPT

    fac.get_by_role("link", name="Start a discussion on it").click()
    expect(fac.get_by_label("Case", exact=True).locator("option:checked")).to_have_text(
        "Vigilantes, for our seminar (this group's own case)")
    fac.get_by_role("button", name="Start the discussion").click()
    expect(fac.get_by_text("is ready, with one thread per prompt")).to_be_visible()
    expect(fac.get_by_role("link", name=re.compile(r"^Should this force work with"))) \
        .to_be_visible()

    oscar = signed_in_page(new_page, live, groups["oscar"])
    response = oscar.goto(case_url)
    assert response.status == 404
    expect(oscar.get_by_role("heading", name="Page not found")).to_be_visible()
    oscar.goto(f"{live}/cases/")
    expect(oscar.get_by_role("link", name="Vigilantes, for our seminar")).to_have_count(0)
