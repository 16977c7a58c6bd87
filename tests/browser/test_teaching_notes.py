"""Teaching notes in Chromium: the facilitator reads them beside the discussion, at
desktop and phone widths, and a participant never meets them, on the page, on the
case inside the group or in a transcript."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casebook.cases.loader import parse_case_file
from tests import factories
from tests.browser.conftest import assert_accessible
from tests.browser.test_discussion import open_group, sign_in
from tests.browser.test_participation import DESKTOP, PHONE, no_horizontal_overflow
from tests.cases.casefiles import SAMPLE
from tests.conftest import db

pytestmark = pytest.mark.browser

NOTES = parse_case_file(SAMPLE).teaching_notes


@pytest.fixture
def seminar(live_app, live_cases):
    with db(live_app) as session:
        world = factories.seminar(session)
        factories.post(session, world.thread, world.ann,
                       "Exposure before any trial is not justice.")
        return world


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "390px"])
def test_facilitator_reads_the_notes_and_a_participant_never_sees_them(
        live, seminar, new_page, viewport):
    fay, ann = seminar.fac, seminar.ann

    fac = new_page()
    fac.set_viewport_size(viewport)
    sign_in(fac, live, fay.email)
    open_group(fac, "Ethics seminar")
    fac.get_by_role("link", name=re.compile("Online vigilantes")).first.click()
    notes = fac.get_by_role("region", name="Teaching notes")
    expect(notes).to_be_visible()
    # Folded by default, so the prompts stay near the top of the page.
    expect(notes.get_by_text(NOTES["objectives"][0])).to_be_hidden()
    notes.get_by_text("Show the teaching notes").click()
    expect(notes.get_by_role("heading", name="Learning objectives")).to_be_visible()
    expect(notes.get_by_text(NOTES["objectives"][0])).to_be_visible()
    seminar_plan = notes.get_by_role("table", name=re.compile("90-minute seminar"))
    expect(seminar_plan.get_by_role("row")).to_have_count(len(NOTES["seminar_plan"]) + 1)
    expect(notes.get_by_role("link", name="support page")).to_be_visible()
    assert_accessible(fac)
    if viewport is PHONE:
        no_horizontal_overflow(fac)
    discussion_url = fac.url

    with fac.expect_download() as info:
        fac.get_by_role("button", name="Transcript (Markdown)").click()
    transcript = Path(info.value.path()).read_text(encoding="utf-8")
    assert "Exposure before any trial" in transcript
    assert NOTES["objectives"][0] not in transcript
    assert NOTES["pitfalls"][0] not in transcript

    student = new_page()
    student.set_viewport_size(viewport)
    sign_in(student, live, ann.email)
    student.goto(discussion_url)
    expect(student.get_by_role("heading", name=re.compile("Understand the case"))).to_be_visible()
    expect(student.get_by_role("region", name="Teaching notes")).to_have_count(0)
    expect(student.get_by_text(NOTES["objectives"][0])).to_have_count(0)
    expect(student.get_by_role("button", name="Transcript (Markdown)")).to_have_count(0)
    assert_accessible(student)

    student.get_by_role("link", name="Read the case").click()
    expect(student.get_by_text(NOTES["pitfalls"][0])).to_have_count(0)
    expect(student.get_by_text("Teaching notes")).to_have_count(0)
    response = student.goto(discussion_url + "/transcript.md")
    assert response.status in (403, 404)
