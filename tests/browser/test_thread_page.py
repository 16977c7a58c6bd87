"""The thread page as members use it, at desktop and phone widths: the case
beside the prompt, moving to the next prompt, progress after posting, unread
counts as another member posts, the queue badge, and reporting twice."""

import re

import pytest
from playwright.sync_api import expect

from casebook.accounts.service import find_by_email
from casebook.db import get_session
from casebook.discussion.models import Thread
from casebook.groups.models import Group
from tests.browser.conftest import assert_accessible_and_fits, signed_in_page
from tests.factories import post

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}
FIRST_PROMPT = re.compile(r"^What exactly did DS Andy Nash claim")
SECOND_PROMPT = re.compile(r"^How do the vigilante groups work")


def _ben_posts(live_app, s, body: str, thread_id=None):
    with live_app.app_context():
        session = get_session()
        post(session, session.get(Thread, thread_id or s.thread.id),
             find_by_email(session, s.ben.email), body)


def _unread_badge(page, title: str):
    """The badge beside a discussion's link on My groups or the group page."""
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=title, exact=True)).locator(".badge").first


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_thread_page_a_member_works_through(new_page, live, live_app, seminar, width):
    s = seminar
    ann = signed_in_page(new_page, live, s.ann.email, width)

    # What is new: My groups and the group page count what others wrote.
    ann.get_by_role("link", name="My groups").click()
    expect(_unread_badge(ann, s.discussion.title)).to_have_text("No unread posts")
    assert_accessible_and_fits(ann)
    _ben_posts(live_app, s, "Ben's answer: the headline goes further than the quote.")
    ann.reload()
    expect(_unread_badge(ann, s.discussion.title)).to_have_text("1 unread")
    ann.get_by_role("link", name="Ethics seminar").click()
    expect(_unread_badge(ann, s.discussion.title)).to_have_text("1 unread")
    assert_accessible_and_fits(ann)

    # Progress: nothing answered yet.
    ann.get_by_role("link", name=s.discussion.title, exact=True).click()
    understand = ann.get_by_role("region", name="1. Understand the case")
    expect(understand.get_by_text("0 of 2 prompts answered by you")).to_be_visible()
    assert_accessible_and_fits(ann)

    # The case beside the prompt: the content note first, then the case.
    understand.get_by_role("link", name=FIRST_PROMPT).click()
    expect(ann.get_by_role("heading", level=1, name=FIRST_PROMPT)).to_be_visible()
    expect(ann.get_by_text("Stage: Understand the case", exact=True)).to_be_visible()
    panel = ann.get_by_role("region", name=re.compile("^The case: Online vigilantes"))
    expect(panel.get_by_text(re.compile("^This case discusses"))).to_be_visible()
    assert_accessible_and_fits(ann)
    panel.get_by_role("button", name="Continue to the case").click()
    expect(panel.get_by_role("heading", name="Key facts")).to_be_visible()
    expect(panel.get_by_role("heading", name="The tensions")).to_be_hidden()
    panel.get_by_text("Read the full case").click()
    expect(panel.get_by_role("heading", name="The tensions")).to_be_visible()
    assert_accessible_and_fits(ann)

    # Answering updates the mark and the stage's count.
    ann.get_by_label("Your post").fill("He claimed offenders fear exposure more than arrest.")
    ann.get_by_role("button", name="Post", exact=True).click()
    expect(ann.get_by_text("Your post is published.")).to_be_visible()
    ann.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=s.discussion.title).click()
    understand = ann.get_by_role("region", name="1. Understand the case")
    expect(understand.get_by_text("1 of 2 prompts answered by you")).to_be_visible()
    first = understand.get_by_role("listitem").filter(
        has=ann.get_by_role("link", name=FIRST_PROMPT))
    expect(first.get_by_text("Answered", exact=True)).to_be_visible()
    second = understand.get_by_role("listitem").filter(
        has=ann.get_by_role("link", name=SECOND_PROMPT))
    expect(second.get_by_text("Not answered yet")).to_be_visible()
    assert_accessible_and_fits(ann)

    # Next prompt moves on, with no second content note.
    understand.get_by_role("link", name=FIRST_PROMPT).click()
    ann.get_by_role("link", name=re.compile("^Next prompt: How do the vigilante")).click()
    expect(ann.get_by_role("heading", level=1, name=SECOND_PROMPT)).to_be_visible()
    expect(ann.get_by_role("link", name=re.compile("^Previous prompt: What exactly"))) \
        .to_be_visible()
    expect(ann.get_by_role("button", name="Continue to the case")).to_have_count(0)
    assert_accessible_and_fits(ann)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_reporting_twice_is_refused_and_the_queue_badge_shows_a_held_post(
        new_page, live, live_app, seminar, width):
    s = seminar
    _ben_posts(live_app, s, "I think I know who the man in this case is.")
    thread_url = f"{live}/groups/{s.gid}/threads/{s.thread.id}"
    ann = signed_in_page(new_page, live, s.ann.email, width)
    ann.goto(thread_url)
    report_link = ann.get_by_role("link", name=re.compile(r"^Report"))
    report_url = live + report_link.get_attribute("href")
    # A second tab opened on the same report form before the first report is sent.
    second_tab = ann.context.new_page()
    second_tab.set_viewport_size({"width": width, "height": 900})
    second_tab.goto(report_url)

    report_link.click()
    ann.get_by_label("Identifies a real person").check()
    ann.get_by_role("button", name="Send report").click()
    expect(ann.get_by_text("Thanks. A moderator will look at this post.")).to_be_visible()
    expect(ann.get_by_text("You reported this", exact=True)).to_be_visible()
    expect(ann.get_by_role("link", name=re.compile(r"^Report"))).to_have_count(0)
    assert_accessible_and_fits(ann)
    ann.goto(report_url)
    expect(ann.get_by_text(re.compile(r"^You reported this post on \d+ \w+ \d{4}"))) \
        .to_be_visible()
    expect(ann.get_by_role("button", name="Send report")).to_have_count(0)
    assert_accessible_and_fits(ann)

    second_tab.get_by_label("Off-topic").check()
    second_tab.get_by_role("button", name="Send report").click()
    expect(second_tab.get_by_text(re.compile(r"^You reported this post on"))).to_be_visible()
    expect(second_tab.get_by_text("You can report a post only once.", exact=False)) \
        .to_be_visible()

    # A held post shows on the moderator's queue badge.
    with live_app.app_context():
        session = get_session()
        session.get(Group, s.gid).premoderation = "all"
        session.commit()
    ben = signed_in_page(new_page, live, s.ben.email, width)
    ben.goto(thread_url)
    expect(ben.get_by_text("Every participant's post in this group waits for a "
                           "moderator's approval")).to_be_visible()
    ben.get_by_label("Your post").fill("A second thought, held for approval.")
    ben.get_by_role("button", name="Post", exact=True).click()
    expect(ben.get_by_text("Your post is waiting for a moderator's approval.")).to_be_visible()
    assert_accessible_and_fits(ben)

    mod = signed_in_page(new_page, live, s.mod.email, width)
    mod.goto(f"{live}/groups/{s.gid}")
    tools = mod.get_by_role("navigation", name="Group tools")
    expect(tools.get_by_role("link", name="Queue 1 waiting")).to_be_visible()
    expect(tools.get_by_role("link", name="Reports 1 open")).to_be_visible()
    assert_accessible_and_fits(mod)
    tools.get_by_role("link", name="Queue 1 waiting").click()
    expect(mod.get_by_role("heading", name="Waiting for approval (1)")).to_be_visible()
    assert_accessible_and_fits(mod)


def test_kept_pages_still_post_and_sign_out(new_page, live, live_app, seminar):
    """The thread page and the content note are served from kept copies once
    seen; their forms work as on a fresh page, two tabs post two posts."""
    s = seminar
    ann = signed_in_page(new_page, live, s.ann.email)
    thread_url = f"{live}/groups/{s.gid}/threads/{s.thread.id}"
    ann.goto(thread_url)
    second = ann.context.new_page()
    second.goto(thread_url)  # the kept copy
    expect(second.get_by_role("heading", level=1, name=FIRST_PROMPT)).to_be_visible()
    for tab, text in ((ann, "First tab: the quote and the headline differ."),
                      (second, "Second tab: a separate point about consent.")):
        tab.get_by_label("Your post").fill(text)
        tab.get_by_role("button", name="Post", exact=True).click()
        expect(tab.get_by_text("Your post is published.")).to_be_visible()
    ann.goto(thread_url)
    posts = ann.get_by_role("region", name="Posts")
    expect(posts.get_by_text("First tab: the quote")).to_be_visible()
    expect(posts.get_by_text("Second tab: a separate point")).to_be_visible()
    assert_accessible_and_fits(ann)

    ann.goto(f"{live}/cases/online-vigilantes")
    ann.reload()  # the kept copy of the content note
    expect(ann.get_by_role("heading", name="Content note")).to_be_visible()
    assert_accessible_and_fits(ann)
    ann.get_by_role("button", name="Sign out").click()
    expect(ann.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
