"""Every main page, rendered: tables stack on phones and the favicon is linked.

The stacked-card layout reads each cell's column heading from ``data-label``, so a
table without class ``stack`` or a cell without a label would lose its headings on
a phone. Checked on the server's HTML, without a browser.
"""

from html.parser import HTMLParser

import pytest

from tests import design_world
from tests.conftest import db, signed_in


class _Layout(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[set[str]] = []
        self.unlabelled_cells: list[str] = []
        self.icons: list[str] = []
        self.scripts: list[str] = []
        self._in_tbody = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append(set((attrs.get("class") or "").split()))
        elif tag == "tbody":
            self._in_tbody = True
        elif tag == "td" or (tag == "th" and self._in_tbody):
            if not (attrs.get("data-label") or "").strip():
                self.unlabelled_cells.append(self.getpos())
        elif tag == "link" and "icon" in (attrs.get("rel") or "").split():
            self.icons.append(attrs.get("href"))
        elif tag == "script":
            self.scripts.append(attrs.get("src"))

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_tbody = False


def layout(response) -> _Layout:
    assert response.status_code == 200, response.status_code
    parser = _Layout()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.fixture
def pages(app):
    """(name, response) for every main page: public ones signed out, the rest as facilitator."""
    with db(app) as session:
        world = design_world.build(session)
        facilitator = world["users"]["facilitator"]
        visitor, fay = signed_in(app, None), signed_in(app, facilitator)
    return (
        [(name, visitor.get(url)) for name, url in
         design_world.urls(app, world, design_world.PUBLIC_PAGES)]
        + [(name, fay.get(url)) for name, url in
           design_world.urls(app, world, design_world.FACILITATOR_PAGES)]
    )


def test_every_table_stacks_and_every_cell_carries_its_column_heading(pages):
    tables_seen = set()
    for name, response in pages:
        found = layout(response)
        for classes in found.tables:
            assert "stack" in classes, f"{name}: a table without class stack ({classes})"
            tables_seen.add(name)
        assert not found.unlabelled_cells, (
            f"{name}: body cells without data-label at {found.unlabelled_cells}")
    # The world puts rows in every table the app has, so none was skipped by being empty.
    assert tables_seen == {"members", "join requests", "queue", "log", "words", "discussion",
                           "poll results"}


def test_every_page_links_the_favicon_and_the_script(app, pages):
    for name, response in pages:
        found = layout(response)
        # Content-hashed URLs (casebook.assets): the path, then ?v=<hash>.
        assert [u.split("?v=")[0] for u in found.icons] == ["/static/favicon.svg"], name
        scripts = [u.split("?v=")[0] for u in found.scripts]
        # Pages that update live (thread, discussion) add static/js/live.js.
        assert scripts in (["/static/js/casebook.js"],
                           ["/static/js/casebook.js", "/static/js/live.js"]), name
        assert all("?v=" in u for u in found.icons + found.scripts), name


def test_the_favicon_is_served_at_both_addresses(client):
    for url in ("/static/favicon.svg", "/favicon.ico"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "image/svg+xml", url
        assert b"<svg" in response.data


def test_the_group_page_offers_the_join_code_and_link_for_copying(app):
    with db(app) as session:
        world = design_world.build(session)
        fay = signed_in(app, world["users"]["facilitator"])
        code = world["code"]
    html = fay.get(f"/groups/{world['group']}").get_data(as_text=True)
    assert f'data-copy-value="{code[:5]}-{code[5:]}" data-copy-label="join code"' in html
    assert f'data-copy-value="http://localhost/join/{code}" data-copy-label="invite link"' in html
    assert 'Join requests</a>\n          <span class="badge badge-alert">1 waiting</span>' in html


def test_the_main_navigation_marks_the_current_section(app):
    with db(app) as session:
        world = design_world.build(session)
        fay = signed_in(app, world["users"]["facilitator"])
    current = '" aria-current="page">'
    assert f'/groups/{current}My groups' in fay.get(f"/groups/{world['group']}/members").text
    assert f'/cases/{current}Case library' in fay.get("/cases/online-vigilantes/read").text
    account = fay.get("/account/").text
    assert f'/account/{current}Your account' in account
    assert account.count("aria-current") == 1
