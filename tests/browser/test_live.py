"""Three people in one seminar, each in their own browser: posts, hidden posts and a
stage opening reach the others' open pages without a reload, and post-first holds."""

import re

import pytest
from playwright.sync_api import expect

from casebook.discussion.models import STAGED
from tests import factories
from tests.browser.conftest import assert_accessible, signed_in_page
from tests.conftest import db

pytestmark = pytest.mark.browser

LIVE = 2_000  # ms: the must-show's bound for a post to appear elsewhere
FIRST_PROMPT = re.compile(r"^What exactly did")


@pytest.fixture
def seminar(live_app, live_cases):
    with db(live_app) as session:
        return factories.seminar(session, slug="undercover-simon", release=STAGED,
                                 post_first=True)


def unreloaded(page):
    """Mark the page; ``still_unreloaded`` fails if it was loaded again since."""
    page.evaluate("window.liveMarker = 'kept'")


def still_unreloaded(page) -> None:
    assert page.evaluate("window.liveMarker") == "kept", "the page was reloaded"


def write(page, text: str) -> None:
    page.get_by_label("Your post").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text(text)).to_be_visible()


def test_posts_hidden_posts_and_stages_arrive_live_and_post_first_holds(
        live, seminar, new_page):
    thread_url = f"{live}/groups/{seminar.gid}/threads/{seminar.thread.id}"
    fac = signed_in_page(new_page, live, seminar.fac.email)
    ann = signed_in_page(new_page, live, seminar.ann.email)
    ben = signed_in_page(new_page, live, seminar.ben.email)
    for page in (fac, ann, ben):
        page.goto(thread_url)
        unreloaded(page)
    expect(ben.get_by_text("Post your answer to see what others wrote (0 answers so far)"))\
        .to_be_visible()

    write(ann, "Ann: the officer's cover story went too far.")
    unreloaded(ann)
    ann_post = fac.get_by_role("article").filter(has_text="the officer's cover story")
    expect(ann_post).to_be_visible(timeout=LIVE)
    still_unreloaded(fac)
    # Post-first: Ben has not answered, so Ann's post must not reach his open page.
    ben.wait_for_timeout(LIVE)
    expect(ben.get_by_text("the officer's cover story")).to_have_count(0)
    still_unreloaded(ben)

    write(ben, "Ben: consent was never really given.")
    expect(ben.get_by_text("the officer's cover story went too far")).to_be_visible()
    unreloaded(ben)
    expect(ann.get_by_text("consent was never really given")).to_be_visible(timeout=LIVE)
    # Screen readers hear it through the polite live region.
    expect(ann.locator("p[aria-live=polite]")).to_have_text("1 new post", timeout=LIVE)
    still_unreloaded(ann)

    # The facilitator hides Ann's post from the copy that arrived live on her page.
    ann_post.get_by_text("Hide…").click()
    ann_post.get_by_label("Reason for hiding").fill("Names a real officer.")
    ann_post.get_by_role("button", name="Hide post").click()
    expect(ben.get_by_text("the officer's cover story")).to_have_count(0, timeout=LIVE)
    expect(ben.get_by_text("This post was hidden by a moderator.")).to_be_visible()
    still_unreloaded(ben)

    fac.goto(f"{live}/groups/{seminar.gid}/discussions/{seminar.discussion.id}")
    fac.get_by_role("button", name="Open the next stage: Stakeholders").click()
    expect(fac.get_by_text("“Stakeholders” is open")).to_be_visible()
    notice = ann.get_by_text(re.compile("^Stage “Stakeholders” is now open. Go to"))
    expect(notice).to_be_visible(timeout=LIVE)
    still_unreloaded(ann)
    assert_accessible(ann)
    ann.get_by_role("link", name="Go to its first prompt").click()
    expect(ann.get_by_role("heading", level=1)).to_contain_text("Who")


def test_facilitator_puts_a_post_on_the_projector_and_the_room_sees_it_live(
        live, seminar, new_page):
    thread_url = f"{live}/groups/{seminar.gid}/threads/{seminar.thread.id}"
    ann = signed_in_page(new_page, live, seminar.ann.email)
    ann.goto(thread_url)
    write(ann, "Ann: deception by the state needs a higher bar.")

    fac = signed_in_page(new_page, live, seminar.fac.email)
    fac.goto(f"{live}/groups/{seminar.gid}/discussions/{seminar.discussion.id}")
    fac.get_by_role("link", name="Projector view").click()
    room = fac
    expect(room.get_by_role("heading", level=2, name="Join the group")).to_be_visible()
    expect(room.get_by_role("img", name=re.compile("^QR code that opens the invite link")))\
        .to_be_visible()
    expect(room.get_by_text(re.compile(r"^1 answer$"))).to_be_visible()
    assert_accessible(room)
    unreloaded(room)

    desk = signed_in_page(new_page, live, seminar.fac.email)
    desk.goto(thread_url)
    post = desk.get_by_role("article").filter(has_text="higher bar")
    post.get_by_role("button", name="Show on projector").click()
    expect(desk.get_by_text("The post is on the projector screen.")).to_be_visible()
    on_screen = room.get_by_role("region", name="On screen")
    expect(on_screen.get_by_text("deception by the state needs a higher bar"))\
        .to_be_visible(timeout=LIVE)
    expect(on_screen.get_by_text("Ann Example")).to_be_visible()
    still_unreloaded(room)
    assert_accessible(room)

    desk.get_by_role("article").filter(has_text="higher bar")\
        .get_by_role("button", name="Remove from screen").click()
    expect(room.get_by_role("region", name="On screen")).to_have_count(0, timeout=LIVE)
    still_unreloaded(room)
