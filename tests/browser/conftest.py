"""A live server on a free local port and Chromium driven by Playwright.

Chromium is Debian's (/usr/bin/chromium, or CASEBOOK_CHROMIUM). When it is
missing the browser tests skip with that reason, unless
CASEBOOK_REQUIRE_BROWSER=1 (set by .ci/run), which makes it a failure.
"""

import os
import shutil
import threading
from urllib.parse import urldefrag

import pytest
from werkzeug.serving import make_server

from tests import factories
from tests.conftest import _empty_database, db, make_test_app

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SERIOUS = {"serious", "critical"}


def _chromium_path() -> str | None:
    configured = os.environ.get("CASEBOOK_CHROMIUM", "/usr/bin/chromium")
    return configured if os.path.exists(configured) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        reason = "Chromium not found at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("CASEBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_app(database_url, tmp_instance):
    return make_test_app(database_url)


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def live(live_app, live_server):
    """The live server's base URL, with an empty database and fresh rate limits."""
    yield live_server
    from casebook.extensions import limiter

    _empty_database(live_app.extensions["casebook.engine"])
    limiter.reset()


@pytest.fixture
def live_cases(live_app, live):
    from casebook.cases.loader import load_directory
    from casebook.cases.service import import_cases
    from casebook.db import get_session
    from tests.conftest import CASES_DIR

    with live_app.app_context():
        import_cases(get_session(), load_directory(CASES_DIR))


@pytest.fixture
def seminar(live_app, live_cases):
    """The shared seminar (``tests.factories.seminar``) in the live server's database.

    A module whose discussion needs other settings, or posts written before the
    walk starts, overrides this with its own fixture around ``factories.seminar``:
    what one session built stays usable after it closes, but cannot be written
    through another.
    """
    with db(live_app) as session:
        return factories.seminar(session)


def watch(page, origin: str) -> None:
    """Record everything on ``page`` that a careful reader of the console would call a fault.

    ``page.problems`` collects console errors (CSP violations are reported there as
    "Refused to ..."), uncaught exceptions, failed requests and same-origin
    subresources answered with 4xx/5xx. A page whose own address answers 403/404
    (or a form answers 422) is an outcome a test asked for, so that response and
    the console line Chromium logs for it are not faults; anything the page then
    fails to load still is.
    """
    problems: list[str] = []
    refused_documents: set[str] = set()
    page.problems = problems
    page.js_errors = []

    def on_console(message):
        if message.type != "error":
            return
        if (message.text.startswith("Failed to load resource")
                and urldefrag(message.location.get("url", "")).url in refused_documents):
            return
        problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def on_pageerror(exc):
        page.js_errors.append(str(exc))
        problems.append(f"uncaught exception: {exc}")

    def on_response(response):
        if response.status < 400:
            return
        if response.request.resource_type == "document":
            refused_documents.add(urldefrag(response.url).url)
        elif response.url.startswith(origin):
            problems.append(f"HTTP {response.status} for {response.url}")

    def on_requestfailed(request):
        # ERR_ABORTED is the browser cancelling a load because the page moved on (a
        # click before the icon or script arrived, a download); blocked or broken
        # loads report their own codes (ERR_BLOCKED_BY_CSP, ERR_CONNECTION_...).
        if request.failure == "net::ERR_ABORTED":
            return
        problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.on("response", on_response)
    page.on("requestfailed", on_requestfailed)


@pytest.fixture
def new_page(browser, live_server):
    """Opens pages in fresh contexts (separate cookie jars, one per person).

    Every page is watched (see ``watch``); the test fails if any of them logged a
    console error, a CSP violation or a failed request, even one no assertion
    looked at.
    """
    contexts = []
    pages = []

    def _open(**context_options):
        context = browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch(page, live_server)
        pages.append(page)
        return page

    yield _open
    for context in contexts:
        context.close()
    fail_on_problems(pages)


def fail_on_problems(pages) -> None:
    """Fail the test if any watched page reported a problem (see ``watch``)."""
    problems = [f"{p.url}: {problem}" for p in pages for problem in p.problems]
    if problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(problems))


@pytest.fixture
def page(new_page):
    return new_page()


_axe = None


def assert_accessible(page) -> None:
    """axe-core on the current page: no serious or critical WCAG 2.1 A/AA violation."""
    global _axe
    from axe_playwright_python.sync_playwright import Axe

    if _axe is None:
        _axe = Axe()
    results = _axe.run(page, options={
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    })
    bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in bad
    )
    assert not bad, f"axe found serious violations on {page.url}:\n{details}"
    assert not page.problems, f"The browser reported problems on {page.url}: {page.problems}"


def signed_in_page(new_page, live: str, email: str, width: int = 1280):
    """A new page signed in as ``email`` through the sign-in form, ``width`` px wide."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live + "/account/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    return page


def assert_accessible_and_fits(page) -> None:
    """axe clean, and nothing wider than the viewport."""
    assert_accessible(page)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), f"horizontal overflow on {page.url}"
