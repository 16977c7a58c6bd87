"""Markdown to HTML for case files (and later members' posts): useful, and never hostile.

The output is parsed with ``html.parser`` rather than searched as text, so a
payload that is merely shown to the reader as escaped text passes, and one
that would become a real element or attribute fails.
"""

import html as html_module
import re
import unicodedata
from html.parser import HTMLParser

import pytest

from casebook.markdown import render_inline, render_markdown, url_is_safe
from tests.conftest import SHARED

XSS_FILE = SHARED / "testdata" / "xss-markdown.txt"
ABSENT = "../shared/testdata is absent (not in a user's clone)"

FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "style", "form", "base", "meta", "img", "svg",
    "link", "frame", "frameset", "applet", "math", "input", "button", "textarea",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster",
                  "background", "srcset", "cite"}
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


class Elements(HTMLParser):
    """Every start tag with its attributes; attribute values arrive entity-decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def scheme_of(url: str) -> str | None:
    """The URL's scheme once whitespace and control characters are gone; None if relative."""
    squeezed = "".join(
        ch for ch in url if not ch.isspace() and unicodedata.category(ch) not in {"Cc", "Cf"}
    )
    match = SCHEME_RE.match(squeezed)
    return match.group(1).lower() if match else None


def assert_harmless(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag not in FORBIDDEN_TAGS, f"<{tag}> element in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name}= on <{tag}> in {html!r}"
            assert name != "style", f"style= on <{tag}> in {html!r}"
            if name in URL_ATTRIBUTES and value is not None:
                scheme = scheme_of(value)
                assert scheme is None or scheme in SAFE_SCHEMES, (
                    f"{name}={value!r} on <{tag}> in {html!r}"
                )


def links(html: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in elements(html) if tag == "a"]


# --- ordinary use ------------------------------------------------------------------


def test_markdown_still_formats_text():
    html = render_markdown(
        "## Key facts\n\n"
        "- *one* and **two**\n- `code`\n\n"
        "> quoted\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```\nfenced\n```\n"
    )
    tags = [tag for tag, _ in elements(html)]
    for tag in ("h2", "ul", "li", "em", "strong", "code", "blockquote", "table", "td", "pre"):
        assert tag in tags, f"no <{tag}> in {html!r}"


def test_ordinary_nesting_is_rendered_in_full():
    """The nesting limit that bounds rendering time leaves room for real documents."""
    lists = "".join(" " * (2 * depth) + f"- level {depth}\n" for depth in range(8))
    quotes = "> " * 12 + "a quote in a quote"

    html = render_markdown(lists + "\n" + quotes)

    assert [tag for tag, _ in elements(html)].count("ul") == 8
    assert "level 7" in html
    assert [tag for tag, _ in elements(html)].count("blockquote") == 12
    assert "a quote in a quote" in html


def test_table_alignment_survives_as_an_attribute():
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")

    cells = [attrs for tag, attrs in elements(html) if tag in ("th", "td")]
    assert [cell.get("align") for cell in cells] == ["left", "center", "right"] * 2


def test_links_are_marked_nofollow_noopener_ugc():
    [link] = links(render_markdown('[the report](https://example.org/a?b=1&c=2 "Report")'))

    assert link["href"] == "https://example.org/a?b=1&c=2"
    assert link["title"] == "Report"
    assert link["rel"] == "nofollow noopener ugc"


def test_mailto_links_are_kept_and_marked_too():
    [link] = links(render_markdown("[x](mailto:help@example.org)"))
    assert link == {"href": "mailto:help@example.org", "rel": "nofollow noopener ugc"}


@pytest.mark.parametrize("source", [
    "<b>bold</b> and <em>emphasis</em>",
    "<div>\nblock\n</div>",
    "<span class='admin-badge'>Site administrator</span>",
])
def test_raw_html_is_shown_as_text(source):
    html = render_markdown(source)

    assert [tag for tag, _ in elements(html)] == ["p"]
    assert "&lt;" in html
    first_tag = source.split(">", 1)[0].removeprefix("<")
    assert f"&lt;{first_tag}" in html.replace("&#39;", "'")


@pytest.mark.parametrize("source", [
    "![a chart](https://example.org/chart.png)",
    '![a chart](https://example.org/chart.png "title")',
    "![a chart][ref]\n\n[ref]: https://example.org/chart.png",
])
def test_images_are_not_emitted(source):
    html = render_markdown(source)

    assert "img" not in [tag for tag, _ in elements(html)]
    assert "chart.png" not in html


# Each way of hiding a scheme from a naive check (issue 7, item 6), followed by
# the payload a link would run.
HIDDEN_SCHEMES = [
    "javascript:", "JavaScript:", "java%0ascript:", "%6Aavascript:", "javascript\\:",
    "&#x0000;javascript:", "&#106;avascript:", "jav&#x09;ascript:", "java&#x09;script:",
    "%256Aavascript:", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:", "ftp:",
]
LINK_FORMS = {
    "inline link": "[click]({url}alert(1))",
    "inline link with title": '[click]({url}alert(1) "title")',
    "reference link": "[click][r]\n\n[r]: {url}alert(1)",
    "autolink": "click <{url}alert(1)>",
    "image": "![click]({url}alert(1))",
    "image reference": "![click][r]\n\n[r]: {url}alert(1)",
    "image inside a link": "[click ![a chart](https://example.org/a.png)]({url}alert(1))",
}


@pytest.mark.parametrize("form", LINK_FORMS.values(), ids=LINK_FORMS.keys())
@pytest.mark.parametrize("scheme", HIDDEN_SCHEMES)
def test_links_with_other_schemes_keep_no_url(form, scheme):
    html = render_markdown(form.format(url=scheme))

    for tag, attrs in elements(html):
        assert "href" not in attrs and "src" not in attrs, f"<{tag} {attrs}> in {html!r}"
    assert "click" in html


@pytest.mark.parametrize("scheme", HIDDEN_SCHEMES)
def test_the_sanitiser_refuses_hidden_schemes_on_its_own(scheme):
    """nh3 applies the same check, so a parser that let one through would still be caught."""
    assert not url_is_safe(f"{scheme}alert(1)")
    assert not url_is_safe(html_module.unescape(f"{scheme}alert(1)"))


SAFE_URLS = ["https://example.org", "http://example.org/a:b?c=d:e", "HTTPS://example.org",
             "mailto:help@example.org", "/cases/", "cases/one", "/x:y", "#stakeholders",
             "?page=2", "?q=a:b", "#a:b"]


@pytest.mark.parametrize("url", SAFE_URLS)
def test_safe_links_are_kept(url):
    [link] = links(render_markdown(f"[here]({url})"))
    assert link["href"] == url


@pytest.mark.parametrize("url", SAFE_URLS)
def test_safe_reference_links_are_kept(url):
    [link] = links(render_markdown(f"[here][r]\n\n[r]: {url}"))
    assert link["href"] == url


@pytest.mark.parametrize("url", ["https://example.org/a", "mailto:help@example.org"])
def test_safe_autolinks_are_kept(url):
    [link] = links(render_markdown(f"<{url}>"))
    assert link["href"] == url


def test_inline_rendering_drops_the_paragraph():
    assert render_inline("Is *this* fair?") == "Is <em>this</em> fair?"
    assert render_inline("<i>x</i>") == "&lt;i&gt;x&lt;/i&gt;"


def test_checker_catches_what_it_should():
    """The corpus test below is only as good as this checker."""
    for hostile in (
        "<script>x</script>", "<p onclick='x'>a</p>", '<p style="x">a</p>',
        '<a href="java\tscript:x">a</a>', '<a href="&#106;avascript:x">a</a>',
        '<a href=" data:text/html,x">a</a>', "<svg/>",
    ):
        with pytest.raises(AssertionError):
            assert_harmless(hostile)
    assert_harmless("<p>&lt;script&gt;alert(1)&lt;/script&gt; onclick=x style=y</p>")
    assert_harmless('<a href="java%0ascript:x">a</a><a href="/x:y">b</a><a href="#a">c</a>')


# --- the shared XSS corpus ---------------------------------------------------------


def _payloads():
    if not XSS_FILE.exists():
        return [pytest.param("", id="corpus", marks=pytest.mark.skip(reason=ABSENT))]
    params = []
    for number, line in enumerate(XSS_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        params.append(pytest.param(line.replace("\\n", "\n"), id=f"line-{number}"))
    assert params, f"{XSS_FILE} holds no payloads"
    return params


@pytest.mark.parametrize("payload", _payloads())
def test_hostile_markdown_renders_harmless(payload):
    assert_harmless(render_markdown(payload))
    assert_harmless(render_inline(payload))
