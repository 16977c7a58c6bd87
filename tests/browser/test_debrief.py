"""The debrief in Chromium: a facilitator marks a key contribution on the thread
page, writes and shares the debrief once the discussion has closed, and a
participant of the pseudonymous group reads it, pseudonyms kept, and prints it."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from casebook.db import get_session, utcnow
from casebook.discussion.models import PSEUDONYMOUS, Discussion
from tests.browser.conftest import assert_accessible
from tests.browser.test_discussion import open_group, post_with, sign_in
from tests.factories import add_member, make_discussion, make_group, make_user, post

pytestmark = pytest.mark.browser


def test_facilitator_writes_and_shares_a_debrief_a_participant_reads_and_prints_it(
        live, live_app, live_cases, new_page):
    with live_app.app_context():
        session = get_session()
        fay = make_user(session, "Fay Facilitator")
        ann = make_user(session, "Ann Example")
        ben = make_user(session, "Ben Other")
        group = make_group(session, fay, name="Police ethics")
        add_member(session, group, ann)
        add_member(session, group, ben)
        discussion = make_discussion(session, group, fay, identity=PSEUDONYMOUS)
        post(session, discussion.threads[0], ann, "Exposure before any trial is not justice.")
        post(session, discussion.threads[0], ben, "Deterrence still matters.")
        discussion_id = discussion.id

    fac = new_page()
    sign_in(fac, live, fay.email)
    open_group(fac, "Police ethics")
    fac.get_by_role("link", name=re.compile("Online vigilantes")).first.click()
    fac.get_by_role("link", name=re.compile("What exactly did DS Andy Nash claim")).click()
    answer = post_with(fac, "Exposure before any trial")
    answer.get_by_role("button", name=re.compile("^Key contribution")).click()
    expect(fac.get_by_text("Marked as a key contribution for the debrief.")).to_be_visible()
    expect(post_with(fac, "Exposure before any trial")
           .get_by_role("button", name=re.compile("Not a key contribution"))).to_be_visible()

    # Time passes: the discussion closes.
    with live_app.app_context():
        session = get_session()
        session.get(Discussion, discussion_id).closes_at = utcnow() - timedelta(minutes=1)
        session.commit()

    fac.get_by_role("link", name="Online vigilantes", exact=False).first.click()
    fac.get_by_role("link", name="Debrief").click()
    expect(fac.get_by_role("heading", name="Write the debrief")).to_be_visible()
    fac.get_by_label("Closing summary").fill("We agreed that **due process** matters.")
    fac.get_by_label("Share the debrief with the whole group").check()
    fac.get_by_role("button", name="Save the debrief").click()
    expect(fac.get_by_text("Debrief saved. Every member of the group can open it.")).to_be_visible()
    key = fac.get_by_role("region", name="Key contributions")
    expect(key.get_by_text("Exposure before any trial is not justice.")).to_be_visible()
    expect(key.get_by_text(re.compile(r"Participant \d+ \(Ann Example\)"))).to_be_visible()
    figures = fac.get_by_role("region", name="Participation")
    expect(figures.get_by_role("table", name="Published posts by stage")).to_be_visible()
    assert_accessible(fac)

    student = new_page()
    sign_in(student, live, ben.email)
    open_group(student, "Police ethics")
    student.get_by_role("link", name=re.compile("Online vigilantes")).first.click()
    student.get_by_role("link", name="Debrief").click()
    expect(student.get_by_role("heading", name="Closing summary")).to_be_visible()
    expect(student.locator("strong", has_text="due process")).to_be_visible()
    key = student.get_by_role("region", name="Key contributions")
    expect(key.get_by_text("Exposure before any trial is not justice.")).to_be_visible()
    expect(student.get_by_text("Ann Example")).to_have_count(0)
    expect(student.get_by_role("button", name="Save the debrief")).to_have_count(0)
    expect(student.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    assert_accessible(student)

    # The printed copy keeps the debrief and drops the menus and buttons.
    student.emulate_media(media="print")
    expect(student.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(student.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    expect(key.get_by_text("Exposure before any trial is not justice.")).to_be_visible()
