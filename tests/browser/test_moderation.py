"""Moderation as people meet it: reporting and hiding a post, pre-moderation,
and a blocked watched word, each person in their own browser."""

import re

import pytest
from playwright.sync_api import expect

from casebook.accounts.service import find_by_email
from casebook.db import get_session
from casebook.discussion.models import Thread
from casebook.groups.models import Group
from casebook.moderation import waiting
from tests.browser.conftest import assert_accessible, signed_in_page
from tests.factories import post

pytestmark = pytest.mark.browser


def _thread_url(live, s):
    return f"{live}/groups/{s.gid}/threads/{s.thread.id}"


def test_a_reported_post_is_hidden_by_a_moderator(new_page, live, live_app, seminar):
    s = seminar
    with live_app.app_context():
        session = get_session()
        post(session, session.get(Thread, s.thread.id), find_by_email(session, s.ann.email),
             "I am sure the teacher in this case was Mrs Jane Example.")

    ben = signed_in_page(new_page, live, s.ben.email)
    ben.goto(_thread_url(live, s))
    ben.get_by_role("link", name=re.compile(r"^Report")).click()
    expect(ben.get_by_role("heading", name="Report a post")).to_be_visible()
    assert_accessible(ben)
    ben.get_by_label("Identifies a real person").check()
    ben.get_by_label("Details").fill("It gives the teacher's full name.")
    ben.get_by_role("button", name="Send report").click()
    expect(ben.get_by_text("Thanks. A moderator will look at this post.")).to_be_visible()
    assert_accessible(ben)  # the thread page

    mod = signed_in_page(new_page, live, s.mod.email)
    mod.goto(f"{live}/groups/{s.gid}/moderation")
    expect(mod.get_by_role("heading", name="Moderation queue")).to_be_visible()
    item = mod.get_by_role("article").filter(has_text="reported 1 time")
    expect(item).to_contain_text("Identifies a real person")
    expect(item).to_contain_text("reported by Ben Other")
    expect(item).to_contain_text("It gives the teacher's full name.")
    assert_accessible(mod)
    item.get_by_text("Hide…").click()
    item.get_by_label("Reason for hiding").fill("Names a real person")
    assert_accessible(mod)  # with the form open
    item.get_by_role("button", name="Hide post").click()
    expect(mod.get_by_text("Post hidden. Its author can see your reason.")).to_be_visible()
    expect(mod.get_by_text("No open reports.")).to_be_visible()

    mod.goto(f"{live}/groups/{s.gid}/moderation/log")
    row = mod.get_by_role("row").filter(has_text="Hid post")
    expect(row).to_contain_text("Mo Moderator")
    expect(row).to_contain_text("Names a real person")
    assert_accessible(mod)

    ann = signed_in_page(new_page, live, s.ann.email)
    ann.goto(_thread_url(live, s))
    expect(ann.get_by_text("Hidden by a moderator: Names a real person")).to_be_visible()
    assert_accessible(ann)

    ben.goto(_thread_url(live, s))
    expect(ben.get_by_text("This post was hidden by a moderator.")).to_be_visible()
    expect(ben.get_by_text("Mrs Jane Example")).to_have_count(0)


def test_a_new_members_first_post_waits_for_approval(new_page, live, live_app, seminar):
    s = seminar
    with live_app.app_context():
        session = get_session()
        group = session.get(Group, s.gid)
        group.premoderation = "first"
        group.premoderation_first_n = 1
        session.commit()

    ann = signed_in_page(new_page, live, s.ann.email)
    ann.goto(_thread_url(live, s))
    ann.get_by_label("Your post").fill("My first contribution to the seminar.")
    ann.get_by_role("button", name="Post", exact=True).click()
    expect(ann.get_by_text("waiting for a moderator's approval")).to_be_visible()
    assert_accessible(ann)

    ben = signed_in_page(new_page, live, s.ben.email)
    ben.goto(_thread_url(live, s))
    expect(ben.get_by_text("My first contribution")).to_have_count(0)

    mod = signed_in_page(new_page, live, s.mod.email)
    mod.goto(f"{live}/groups/{s.gid}/moderation")
    item = mod.get_by_role("article").filter(has_text="My first contribution")
    expect(item).to_contain_text("Why held: Pre-moderation")
    expect(item).to_contain_text("Ann Example (Participant")
    assert_accessible(mod)
    item.get_by_role("button", name="Approve").click()
    expect(mod.get_by_text("Post approved and published.")).to_be_visible()
    expect(mod.get_by_text("Nothing is waiting for a moderator.")).to_be_visible()
    assert_accessible(mod)

    ben.reload()
    expect(ben.get_by_text("My first contribution to the seminar.")).to_be_visible()

    # The moderator's own view of the thread carries the post and thread controls.
    mod.goto(_thread_url(live, s))
    expect(mod.get_by_role("button", name="Lock thread")).to_be_visible()
    mod.get_by_text("Hide…").first.click()
    expect(mod.get_by_label("Reason for hiding").first).to_be_visible()
    assert_accessible(mod)


def test_a_blocked_phrase_is_refused_and_the_text_kept(new_page, live, live_app, seminar):
    s = seminar
    mod = signed_in_page(new_page, live, s.mod.email)
    mod.goto(f"{live}/groups/{s.gid}/moderation/words")
    assert_accessible(mod)
    mod.get_by_label("Word or phrase", exact=True).fill("Jane Hartley")
    mod.get_by_label("Block: refuse the post").check()
    mod.get_by_role("button", name="Add").click()
    expect(mod.get_by_role("cell", name="Block: refuse the post")).to_be_visible()
    expect(mod.get_by_role("rowheader", name="Jane Hartley")).to_be_visible()
    assert_accessible(mod)

    ann = signed_in_page(new_page, live, s.ann.email)
    ann.goto(_thread_url(live, s))
    text = "I think jane hartley should have gone to the police."
    ann.get_by_label("Your post").fill(text)
    ann.get_by_role("button", name="Post", exact=True).click()
    expect(ann.get_by_text("This group does not allow “Jane Hartley” in posts.").first) \
        .to_be_visible()
    expect(ann.get_by_label("Your post")).to_have_value(text)
    assert_accessible(ann)
    with live_app.app_context():
        session = get_session()
        assert waiting.queue(session, session.get(Group, s.gid)).empty
