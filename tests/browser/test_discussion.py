"""A post-first, pseudonymous discussion as a facilitator and two participants use it,
and hostile Markdown typed into the reply form, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, add_member, make_discussion, make_group, make_user

pytestmark = pytest.mark.browser


def sign_in(page, live, email: str) -> None:
    page.goto(live + "/account/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def open_group(page, name: str) -> None:
    page.get_by_role("link", name="My groups").click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def post_with(page, text: str):
    """The post whose own text (not a quote of it in a reply) contains ``text``."""
    return page.locator("article.post", has=page.locator(".post-body", has_text=text))


def test_post_first_pseudonymous_discussion(live, live_app, live_cases, new_page):
    with live_app.app_context():
        session = get_session()
        fay = make_user(session, "Fay Facilitator")
        ann = make_user(session, "Ann Example")
        ben = make_user(session, "Ben Other")
        group = make_group(session, fay, name="Ethics seminar")
        add_member(session, group, ann)
        add_member(session, group, ben)
        ann_alias = f"Participant {add_member(session, group, ann).pseudonym_number}"

    # The facilitator starts a post-first, pseudonymous discussion.
    fac = new_page()
    sign_in(fac, live, fay.email)
    assert_accessible(fac)
    open_group(fac, "Ethics seminar")
    assert_accessible(fac)
    fac.get_by_role("link", name="Start a discussion").click()
    expect(fac.get_by_role("heading", name="Start a discussion", level=1)).to_be_visible()
    assert_accessible(fac)
    fac.get_by_label("Case").select_option(label="Online vigilantes: feared more than the police?")
    fac.get_by_label("Post first").check()
    fac.get_by_label("Pseudonymous to peers").check()
    fac.get_by_role("button", name="Start the discussion").click()
    expect(fac.get_by_text("is ready, with one thread per prompt")).to_be_visible()
    expect(fac.get_by_role("heading", name="1. Understand the case")).to_be_visible()
    expect(fac.get_by_text("Post first")).to_be_visible()
    assert_accessible(fac)

    # Participant A answers the first prompt.
    a = new_page()
    sign_in(a, live, ann.email)
    open_group(a, "Ethics seminar")
    a.get_by_role("link", name=re.compile("Online vigilantes")).click()
    a.get_by_role("link", name=re.compile("^What exactly did DS Andy Nash claim")).click()
    expect(a.get_by_text("Post your answer to see what others wrote (0 answers so far)."))\
        .to_be_visible()
    assert_accessible(a)
    a.get_by_label("Your post").fill("Exposure before any trial is *punishment*, not justice.")
    a.get_by_role("button", name="Preview").click()
    expect(a.get_by_role("heading", name="Preview")).to_be_visible()
    expect(a.get_by_label("Your post")).to_have_value(
        "Exposure before any trial is *punishment*, not justice.")
    assert_accessible(a)
    a.get_by_role("button", name="Post", exact=True).click()
    expect(a.get_by_text("Your post is published.")).to_be_visible()
    post = post_with(a, "Exposure before any trial")
    expect(post.locator(".post-author")).to_have_text(ann_alias)
    assert_accessible(a)

    # Participant B sees only the invitation to answer first.
    b = new_page()
    sign_in(b, live, ben.email)
    b.goto(a.url.split("#")[0])
    expect(b.get_by_text("Post your answer to see what others wrote (1 answer so far)."))\
        .to_be_visible()
    expect(b.get_by_text("Exposure before any trial")).to_have_count(0)
    assert_accessible(b)
    b.get_by_label("Your post").fill("Vigilantes may wreck real investigations.")
    b.get_by_role("button", name="Post", exact=True).click()
    expect(b.get_by_text("Your post is published.")).to_be_visible()
    answer = post_with(b, "Exposure before any trial")
    expect(answer.locator(".post-author")).to_have_text(ann_alias)
    expect(b.get_by_text("Ann Example")).to_have_count(0)
    expect(b.get_by_text("Post your answer to see")).to_have_count(0)

    # B replies to A's answer through the Reply link.
    answer.get_by_role("link", name=re.compile("^Reply")).click()
    expect(b.get_by_text(f"Replying to {ann_alias}")).to_be_visible()
    assert_accessible(b)
    b.get_by_label("Your post").fill("Agreed, and families suffer too.")
    b.get_by_role("button", name="Post", exact=True).click()
    expect(b.locator(".reply-ref").filter(has_text=f"In reply to {ann_alias}")).to_be_visible()

    # The facilitator sees who wrote it.
    fac.goto(a.url.split("#")[0])
    staff_view = post_with(fac, "Exposure before any trial")
    expect(staff_view.locator(".post-author")).to_have_text(f"{ann_alias} (Ann Example)")
    assert_accessible(fac)


XSS_SAMPLE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="java&#9;script:alert(1)">click</a>',
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    '![img](x" onerror="alert(1))',
    "</textarea><script>alert(1)</script>",
]


def test_hostile_markdown_in_the_reply_form_runs_nothing(live, live_app, live_cases, page):
    with live_app.app_context():
        session = get_session()
        fay = make_user(session, "Fay Facilitator")
        pat = make_user(session, "Pat Participant")
        group = make_group(session, fay)
        add_member(session, group, pat)
        thread = make_discussion(session, group, fay).threads[0]
        url = f"{live}/groups/{group.id}/threads/{thread.id}"
    dialogs: list[str] = []

    def record(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    sign_in(page, live, pat.email)
    page.goto(url)
    for payload in XSS_SAMPLE:
        page.get_by_label("Your post").fill(payload)
        page.get_by_role("button", name="Post", exact=True).click()
        expect(page.get_by_text("Your post is published.")).to_be_visible()
    page.goto(url)
    expect(page.locator("article.post")).to_have_count(len(XSS_SAMPLE))
    assert dialogs == []
    # As the browser resolves them, links in posts lead only to web pages or mail.
    protocols = page.evaluate(
        "() => [...document.querySelectorAll('.post-body a[href]')].map(a => a.protocol)")
    assert set(protocols) <= {"http:", "https:", "mailto:"}, protocols
    assert page.locator(".post-body script, .post-body img, .post-body svg").count() == 0
    assert page.evaluate("() => document.querySelectorAll('[onerror],[onload]').length") == 0
    assert page.js_errors == []
    assert_accessible(page)
