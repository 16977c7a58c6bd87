"""Markdown to safe HTML, for case files and (later) members' posts.

Raw HTML in the source is shown as text rather than interpreted, and the
result is cleaned again with nh3 on an allowlist, so neither a parser quirk
nor a hostile input can put script, styles or foreign images on a page.
"""

import markdown as md
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "dd", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"


def _converter() -> md.Markdown:
    converter = md.Markdown(extensions=["tables", "fenced_code", "sane_lists"])
    # Treat raw HTML as literal text: authors see what they typed, and the
    # browser never parses it.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter


def render_markdown(source: str) -> str:
    html = _converter().convert(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_inline(source: str) -> str:
    """Render a one-paragraph snippet (a prompt, a position) without the <p> wrapper."""
    html = render_markdown(source).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
