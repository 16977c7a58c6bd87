"""The case library, the content note and the case page, as a reader sees them."""

import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from casebook.cases.loader import load_directory, parse_case_file
from casebook.cases.models import STAGES
from casebook.cases.service import import_cases
from casebook.db import get_session
from tests.cases.casefiles import SAMPLE, SAMPLE_SLUG, join_case, sample_front, with_prompts
from tests.conftest import CASES_DIR, count_queries, make_test_app

REPO = {case.slug: case for case in load_directory(CASES_DIR)}
STAGE_HEADINGS = ["Understand the case", "Stakeholders", "Ethical lenses", "Decide", "Reflect"]
UK_SUPPORT = {
    "Stop It Now!": "0808 1000 900",
    "NSPCC": "0808 800 5000",
    "Childline": "0800 1111",
    "Samaritans": "116 123",
}


def listed_slugs(page: str) -> list[str]:
    """Slugs of the cases a library page links to (tag links carry ?theme=)."""
    return re.findall(r'href="/cases/([a-z0-9-]+)"', page)


def searchable(slug: str) -> str:
    case = REPO[slug]
    return " ".join([case.title, case.summary, " ".join(case.themes), case.body]).casefold()


def text(value: str) -> str:
    """``value`` as Jinja prints it."""
    return str(escape(value))


class PromptOutline(HTMLParser):
    """Stage headings and prompt ids, in page order."""

    def __init__(self):
        super().__init__()
        self.items: list[tuple[str, str]] = []
        self._heading: str | None = None

    def handle_starttag(self, tag, attrs):
        ident = dict(attrs).get("id") or ""
        if tag == "h3" and ident.startswith("stage-"):
            self._heading = ""
        elif tag == "li" and ident.startswith("prompt-"):
            self.items.append(("prompt", ident.removeprefix("prompt-")))

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data

    def handle_endtag(self, tag):
        if tag == "h3" and self._heading is not None:
            self.items.append(("stage", self._heading.strip()))
            self._heading = None

    def grouped(self) -> list[tuple[str, list[str]]]:
        groups: list[tuple[str, list[str]]] = []
        for kind, value in self.items:
            if kind == "stage":
                groups.append((value, []))
            else:
                assert groups, f"prompt {value} appears before any stage heading"
                groups[-1][1].append(value)
        return groups


def support_panel(page: str) -> str:
    panels = re.findall(r'<aside class="support-panel".*?</aside>', page, re.DOTALL)
    assert len(panels) == 1, "the case page has one support panel"
    return panels[0]


def outline(page: str) -> list[tuple[str, list[str]]]:
    parser = PromptOutline()
    parser.feed(page)
    return parser.grouped()


# --- the library -------------------------------------------------------------


def test_library_lists_every_case(client, cases):
    page = client.get("/cases/").get_data(as_text=True)

    assert sorted(listed_slugs(page)) == sorted(REPO)
    for case in REPO.values():
        assert text(case.title) in page
    assert "4 cases" in page


def test_theme_narrows_the_library(client, cases):
    expected = sorted(slug for slug, case in REPO.items() if "vigilantism" in case.themes)
    assert 0 < len(expected) < len(REPO), "the repository's cases no longer test the filter"

    page = client.get("/cases/?theme=vigilantism").get_data(as_text=True)

    assert sorted(listed_slugs(page)) == expected
    assert "with the theme “vigilantism”" in page
    assert '<option value="vigilantism" selected>' in page


def test_unknown_theme_shows_no_case(client, cases):
    page = client.get("/cases/?theme=astrology").get_data(as_text=True)

    assert listed_slugs(page) == []
    assert "No case matches" in page


@pytest.mark.parametrize("query", ["nash", "NASH", "Nash."])
def test_search_by_word_ignores_case(client, cases, query):
    page = client.get("/cases/", query_string={"q": query}).get_data(as_text=True)

    assert listed_slugs(page) == [SAMPLE_SLUG]
    assert "1 case matching" in page


@pytest.mark.parametrize("query", ["Ærøskøbing", "ÆRØSKØBING", "ærøskøbing"])
def test_search_ignores_case_beyond_ascii(app, client, tmp_path, query):
    # SQLite's LIKE folds only ASCII, so this holds on both databases only
    # because the search text and the query are both case-folded.
    front, body = sample_front()
    path = tmp_path / SAMPLE.name
    path.write_text(join_case(front, body + "\nThe ferry to Ærøskøbing.\n"), encoding="utf-8")
    with app.app_context():
        import_cases(get_session(), [parse_case_file(path)])

    page = client.get("/cases/", query_string={"q": query}).get_data(as_text=True)

    assert listed_slugs(page) == [SAMPLE_SLUG]


def test_search_words_must_all_match(client, cases):
    with_simon = sorted(slug for slug in REPO if "simon" in searchable(slug))
    assert len(with_simon) >= 2 and SAMPLE_SLUG in with_simon
    assert "nash" not in "".join(searchable(slug) for slug in with_simon if slug != SAMPLE_SLUG)

    only_simon = client.get("/cases/?q=simon").get_data(as_text=True)
    both = client.get("/cases/?q=Simon+nash").get_data(as_text=True)

    assert sorted(listed_slugs(only_simon)) == with_simon
    assert listed_slugs(both) == [SAMPLE_SLUG]


def test_search_for_a_word_in_no_case(client, cases):
    page = client.get("/cases/?q=xylophone").get_data(as_text=True)

    assert listed_slugs(page) == []
    assert "No case matches" in page
    assert 'value="xylophone"' in page


def test_search_and_theme_combine(client, cases):
    page = client.get("/cases/?theme=vigilantism&q=xylophone").get_data(as_text=True)
    assert listed_slugs(page) == []

    page = client.get("/cases/?theme=vigilantism&q=nash").get_data(as_text=True)
    assert listed_slugs(page) == [SAMPLE_SLUG]


def test_search_treats_sql_wildcards_as_text(client, cases):
    # "_" is a word character; unescaped in LIKE it would match the "a" of "nash".
    page = client.get("/cases/", query_string={"q": "n_sh"}).get_data(as_text=True)
    assert listed_slugs(page) == []
    assert "No case matches" in page


def test_punctuation_alone_does_not_narrow_the_library(client, cases):
    page = client.get("/cases/", query_string={"q": "%?!"}).get_data(as_text=True)
    assert sorted(listed_slugs(page)) == sorted(REPO)


# --- content note and case page ----------------------------------------------


def test_case_url_shows_the_content_note_first(client, cases):
    case = REPO[SAMPLE_SLUG]

    response = client.get(f"/cases/{SAMPLE_SLUG}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert text(case.content_note) in page
    assert f'href="/cases/{SAMPLE_SLUG}/read"' in page
    assert 'href="/support"' in page
    # Nothing of the case itself yet: no prompts, no body.
    assert "prompt-" not in page
    for prompt in case.prompts:
        assert text(prompt.text[:40]) not in page
    assert "Ahead of a three-part Channel 4 documentary" not in page


def test_case_page_shows_body_sources_and_stakeholders(client, cases):
    case = REPO[SAMPLE_SLUG]

    response = client.get(f"/cases/{SAMPLE_SLUG}/read")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert text(case.title) in page
    assert text(case.content_note) in page
    assert "<h2>Background</h2>" in page
    assert "Ahead of a three-part Channel 4 documentary" in page
    for source in case.sources:
        assert text(source["title"]) in page
        assert text(source["publisher"]) in page
    for person in case.stakeholders:
        assert text(person["name"]) in page
        assert text(person["interest"]) in page
    for position in case.positions:
        assert text(position.text) in page


def test_prompts_are_grouped_under_the_five_stages_in_order(client, cases):
    case = REPO[SAMPLE_SLUG]
    expected = [
        (f"{number}. {heading}", [p.key for p in case.prompts if p.stage == stage])
        for number, (stage, heading) in enumerate(zip(STAGES, STAGE_HEADINGS, strict=True), 1)
    ]

    page = client.get(f"/cases/{SAMPLE_SLUG}/read").get_data(as_text=True)

    assert outline(page) == expected
    assert "Rights and duties" in page  # a lens prompt carries its lens's name
    for prompt in case.prompts:
        assert f'id="prompt-{prompt.key}"' in page


def test_prompts_keep_the_files_order_within_a_stage(app, client, tmp_path):
    front, body = sample_front()
    front["prompts"]["decide"].reverse()
    path = tmp_path / SAMPLE.name
    path.write_text(join_case(front, body), encoding="utf-8")
    with app.app_context():
        import_cases(get_session(), [parse_case_file(path)])

    page = client.get(f"/cases/{SAMPLE_SLUG}/read").get_data(as_text=True)

    decide = dict(outline(page))["4. Decide"]
    assert decide == [p["id"] for p in front["prompts"]["decide"]]


def test_case_page_signposts_uk_support_by_default(client, cases):
    page = support_panel(client.get(f"/cases/{SAMPLE_SLUG}/read").get_data(as_text=True))

    assert "If this case affects you" in page
    for name, phone in UK_SUPPORT.items():
        assert name in page
        assert phone in page
        assert f'href="tel:{phone.replace(" ", "")}"' in page


def test_reporting_channels_are_not_offered_as_help(client, cases):
    page = support_panel(client.get(f"/cases/{SAMPLE_SLUG}/read").get_data(as_text=True))

    help_part, report_part = page.split("<h3>Report abuse online</h3>")
    assert "<h3>Talk to someone</h3>" in help_part
    assert "confidential help" not in page
    for name in UK_SUPPORT:
        assert name in help_part
    for name in ("Internet Watch Foundation", "CEOP Safety Centre"):
        assert name not in help_part
        assert name in report_part
    assert "Stop It Now!" not in report_part


@pytest.mark.parametrize("url", ["/cases/no-such-case", "/cases/no-such-case/read"])
def test_unknown_case_is_a_branded_404(client, cases, url):
    response = client.get(url)

    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert 'class="site-header"' in page
    assert 'href="/cases/"' in page
    assert "Traceback" not in page


# --- configurable support list -------------------------------------------------


CUSTOM_SUPPORT = """\
- name: Kids Help Phone
  for: Young people in Canada.
  phone: 1 800 668 6868
  url: https://kidshelpphone.ca
"""


def test_support_list_is_configurable(database_url, tmp_instance, tmp_path, cases):
    support = tmp_path / "support.yaml"
    support.write_text(CUSTOM_SUPPORT, encoding="utf-8")
    app = make_test_app(database_url, SUPPORT_FILE=str(support))
    try:
        response = app.test_client().get(f"/cases/{SAMPLE_SLUG}/read")
    finally:
        app.extensions["casebook.engine"].dispose()

    page = support_panel(response.get_data(as_text=True))
    assert "Kids Help Phone" in page
    assert 'href="tel:18006686868"' in page
    assert 'href="https://kidshelpphone.ca"' in page
    for name, phone in UK_SUPPORT.items():
        assert name not in page
        assert phone not in page


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        pytest.param('- name: "Helpline\n  for: Anyone\n', "invalid YAML", id="bad-yaml"),
        pytest.param("[]\n", "non-empty list", id="empty"),
        pytest.param("name: Helpline\nfor: Anyone\n", "non-empty list", id="not-a-list"),
        pytest.param("- name: Helpline\n  phone: 0800 000\n", "needs at least 'name' and 'for'",
                     id="no-for"),
        pytest.param("- name: Helpline\n  for: Anyone\n  fax: 0800 000\n", "unknown fields",
                     id="unknown-field"),
        pytest.param("- name: Helpline\n  for: Anyone\n  kind: chat\n",
                     "kind must be one of help, report", id="unknown-kind"),
        pytest.param("- name: Helpline\n  for: Anyone\n  url: http://example.org\n",
                     "must start with https://", id="plain-http"),
    ],
)
def test_invalid_support_file_stops_the_app_starting(
    database_url, tmp_instance, tmp_path, content, complaint
):
    support = tmp_path / "support.yaml"
    support.write_text(content, encoding="utf-8")

    with pytest.raises(ValueError, match=re.escape(complaint)) as caught:
        make_test_app(database_url, SUPPORT_FILE=str(support))

    assert str(support) in str(caught.value)


# --- queries per page ------------------------------------------------------------


def _queries(app, client, url: str) -> int:
    client.get(url)  # warm up: first connection, dialect set-up
    with count_queries(app.extensions["casebook.engine"]) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def _import_texts(app, tmp_path, texts: dict[str, str]) -> None:
    folder = tmp_path / "generated"
    folder.mkdir(exist_ok=True)
    for name, body in texts.items():
        (folder / f"{name}.md").write_text(body, encoding="utf-8")
    with app.app_context():
        import_cases(get_session(), load_directory(folder))


def test_case_page_queries_do_not_grow_with_prompts(app, client, tmp_path):
    _import_texts(app, tmp_path, {
        "few-prompts": with_prompts("few-prompts", "Few prompts", 5),
        "many-prompts": with_prompts("many-prompts", "Many prompts", 40),
    })

    few = _queries(app, client, "/cases/few-prompts/read")
    many = _queries(app, client, "/cases/many-prompts/read")

    assert client.get("/cases/many-prompts/read").get_data(as_text=True).count(
        'id="prompt-') == 40
    assert many == few


def test_library_queries_do_not_grow_with_cases(app, client, tmp_path):
    _import_texts(app, tmp_path, {"case-0": with_prompts("case-0", "Case 0", 10)})
    one = _queries(app, client, "/cases/")

    _import_texts(app, tmp_path, {
        f"case-{n}": with_prompts(f"case-{n}", f"Case {n}", 10) for n in range(1, 9)
    })
    nine = _queries(app, client, "/cases/")

    assert len(listed_slugs(client.get("/cases/").get_data(as_text=True))) == 9
    assert nine == one
