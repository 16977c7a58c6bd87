"""The participation page and a safe transcript export, in Chromium at desktop and phone
widths: the facilitator sees real names beside pseudonyms and sorts by a column; a
participant is refused; the default transcript has no text of a hidden post."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from casebook.discussion.models import HIDDEN, PSEUDONYMOUS, Post
from tests.browser.conftest import assert_accessible
from tests.browser.test_discussion import open_group, sign_in
from tests.factories import add_member, make_discussion, make_group, make_user, post

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def no_horizontal_overflow(page) -> None:
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def seminar(live_app):
    with live_app.app_context():
        session = get_session()
        fay = make_user(session, "Fay Facilitator")
        ann = make_user(session, "Ann Example")
        ben = make_user(session, "Ben Other")
        nia = make_user(session, "Nia Quiet")
        group = make_group(session, fay, name="Ethics seminar")
        aliases = {user.display_name: add_member(session, group, user).pseudonym
                   for user in (ann, ben, nia)}
        discussion = make_discussion(session, group, fay, identity=PSEUDONYMOUS)
        thread = discussion.threads[0]
        post(session, thread, ann, "Exposure before any trial is punishment, not justice.")
        post(session, thread, ann, "A second, longer thought about what the police said.")
        hidden = post(session, thread, ben, "This names a real person in the case.")
        post(session, thread, ben, "Short answer.")
        row = session.get(Post, hidden.id)
        row.status, row.moderation_reason = HIDDEN, "Identifies a real person"
        session.commit()
        return fay, ann, aliases


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "390px"])
def test_facilitator_sees_who_took_part_and_participant_is_refused(
        live, live_app, live_cases, new_page, viewport):
    fay, ann, aliases = seminar(live_app)

    fac = new_page()
    fac.set_viewport_size(viewport)
    sign_in(fac, live, fay.email)
    open_group(fac, "Ethics seminar")
    fac.get_by_role("link", name=re.compile("Online vigilantes")).first.click()
    fac.get_by_role("link", name="Participation", exact=True).click()
    expect(fac.get_by_role("heading", name="Participation", level=1)).to_be_visible()
    table = fac.get_by_role("table")
    ann_row = table.get_by_role("row").filter(has_text="Ann Example")
    expect(ann_row).to_contain_text(aliases["Ann Example"])
    expect(table.get_by_role("row").filter(has_text="Nia Quiet")).to_contain_text(
        "not posted yet")
    expect(fac.get_by_text("have not posted yet")).to_be_visible()
    assert_accessible(fac)
    if viewport is PHONE:
        no_horizontal_overflow(fac)

    # Most words first: Ann wrote more than Ben (whose hidden post does not count).
    fac.get_by_role("link", name=re.compile("^Words")).click()
    expect(fac.get_by_role("columnheader", name=re.compile("^Words"))).to_have_attribute(
        "aria-sort", "descending")
    first_row = table.get_by_role("row").nth(1)
    expect(first_row).to_contain_text("Ann Example")
    fac.get_by_role("link", name=re.compile("^Words")).click()
    expect(fac.get_by_role("columnheader", name=re.compile("^Words"))).to_have_attribute(
        "aria-sort", "ascending")
    expect(table.get_by_role("row").last).to_contain_text("Ann Example")
    assert_accessible(fac)
    if viewport is PHONE:
        no_horizontal_overflow(fac)
    participation_url = fac.url

    # A participant has no link to it and is refused at the address itself.
    student = new_page()
    student.set_viewport_size(viewport)
    sign_in(student, live, ann.email)
    open_group(student, "Ethics seminar")
    student.get_by_role("link", name=re.compile("Online vigilantes")).first.click()
    expect(student.get_by_role("link", name="Participation", exact=True)).to_have_count(0)
    response = student.goto(participation_url)
    assert response.status == 403
    expect(student.get_by_text("Ben Other")).to_have_count(0)
    assert_accessible(student)
    if viewport is PHONE:
        no_horizontal_overflow(student)


def test_default_transcript_has_no_text_of_a_hidden_post(live, live_app, live_cases,
                                                         new_page):
    fay, _ann, _aliases = seminar(live_app)
    fac = new_page()
    fac.set_viewport_size(PHONE)
    sign_in(fac, live, fay.email)
    open_group(fac, "Ethics seminar")
    fac.get_by_role("link", name=re.compile("Online vigilantes")).first.click()
    expect(fac.get_by_text("This file will contain posts hidden by moderators")).to_be_visible()
    assert_accessible(fac)
    no_horizontal_overflow(fac)

    with fac.expect_download() as info:
        fac.get_by_role("button", name="Transcript (Markdown)").click()
    download = info.value
    assert re.fullmatch(r"ethics-seminar-online-vigilantes-.*-transcript-\d{4}-\d{2}-\d{2}\.md",
                        download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "[Post hidden by a moderator: Identifies a real person]" in text
    assert "This names a real person" not in text

    fac.get_by_label("Include the text of posts hidden by moderators").check()
    with fac.expect_download() as info:
        fac.get_by_role("button", name="Transcript (Markdown)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "This names a real person" in text
    assert "do not share it with the group" in text
