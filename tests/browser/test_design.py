"""The design system as people meet it: the main pages at desktop and phone width,
tables that stack into cards, the copy button, the favicon, and the console watch
that fails any browser test on a CSP violation or a failed request."""

import pytest
from playwright.sync_api import expect

from casebook.db import get_session
from tests import design_world
from tests.browser.conftest import assert_accessible, fail_on_problems
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(live_app, live, live_cases):
    with live_app.app_context():
        built = design_world.build(get_session())
        built["fay"] = built["users"]["facilitator"].email
        return built


def sign_in(page, live, email):
    page.goto(live + "/account/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def check_page(page, name, phone):
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    if not phone:
        return
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{name} scrolls sideways at 390 px: {widths}"
    if page.locator("table.stack").count():
        # Stacked: the column headings row is gone from view and each cell shows its own.
        cell = page.locator("table.stack tbody td[data-label]").first
        label = cell.get_attribute("data-label")
        shown = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert shown == f'"{label}"', f"{name}: cell label not shown ({shown})"
        assert cell.evaluate("td => getComputedStyle(td, '::before').display") == "block"
        expect(page.locator("table.stack thead").first).not_to_be_in_viewport()


def test_main_pages_read_well_at_desktop_and_phone_width(world, live, live_app, new_page):
    visitor = new_page()
    fay = new_page()
    sign_in(fay, live, world["fay"])
    for size in (DESKTOP, PHONE):
        phone = size is PHONE
        for page, pages in ((visitor, design_world.PUBLIC_PAGES),
                            (fay, design_world.FACILITATOR_PAGES)):
            page.set_viewport_size(size)
            for name, url in design_world.urls(live_app, world, pages):
                response = page.goto(live + url)
                assert response.status == 200, f"{name}: {response.status}"
                check_page(page, name, phone)


def test_tables_show_every_column_heading_on_a_phone(world, live, new_page):
    fay = new_page(viewport=PHONE)
    sign_in(fay, live, world["fay"])
    fay.goto(f"{live}/groups/{world['group']}")
    fay.get_by_role("link", name="Members").click()
    row = fay.get_by_role("row").filter(has_text="Pat Participant")
    for heading in ("Name", "Pseudonym", "Role", "Joined", "Actions"):
        expect(row.locator(f'[data-label="{heading}"]')).to_be_visible()
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_the_copy_button_copies_the_join_code_and_invite_link(world, live, new_page):
    fay = new_page(permissions=["clipboard-read", "clipboard-write"])
    sign_in(fay, live, world["fay"])
    fay.goto(f"{live}/groups/{world['group']}")
    code = world["code"]

    fay.get_by_role("button", name="Copy join code").click()
    expect(fay.get_by_role("status").filter(has_text="Copied")).to_have_count(1)
    assert fay.evaluate("() => navigator.clipboard.readText()") == f"{code[:5]}-{code[5:]}"

    fay.get_by_role("button", name="Copy invite link").click()
    expect(fay.get_by_role("status").filter(has_text="Copied")).to_have_count(2)
    assert fay.evaluate("() => navigator.clipboard.readText()") == f"{live}/join/{code}"
    assert_accessible(fay)


def test_without_javascript_the_code_is_there_and_no_copy_button(world, live, new_page):
    fay = new_page(java_script_enabled=False)
    sign_in(fay, live, world["fay"])
    fay.goto(f"{live}/groups/{world['group']}")
    expect(fay.get_by_text(f"{world['code'][:5]}-{world['code'][5:]}")).to_be_visible()
    expect(fay.get_by_role("button", name="Copy join code")).to_have_count(0)


def test_the_favicon_is_served(page, live, live_cases):
    page.goto(live + "/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    for url in (href, "/favicon.ico"):
        response = page.request.get(live + url)
        assert response.status == 200, url
        assert response.headers["content-type"].startswith("image/svg+xml"), url


def test_the_watch_reports_csp_violations_and_missing_files(page, live, live_cases):
    """The watch every browser test relies on must itself catch what it claims to."""
    page.goto(live + "/")
    page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.injected = true';
        document.body.append(script);
        const image = document.createElement('img');
        image.src = '/static/no-such-image.png';
        image.alt = '';
        document.body.append(image);
    }""")
    page.wait_for_function("() => [...document.images].every(image => image.complete)")
    page.wait_for_timeout(200)  # console events arrive after the work that caused them
    found = "\n".join(page.problems)
    assert page.evaluate("() => window.injected") is None
    assert "Content Security Policy" in found, found
    assert "HTTP 404 for " + live + "/static/no-such-image.png" in found, found
    # What every browser test's teardown runs fails on them.
    with pytest.raises(pytest.fail.Exception, match="Content Security Policy"):
        fail_on_problems([page])
    page.problems.clear()  # seen and expected: the test's own teardown must not fail on them
