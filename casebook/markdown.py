"""Markdown to safe HTML, for case files and (later) members' posts.

Raw HTML in the source is shown as text rather than interpreted, and the
result is cleaned again with nh3 on an allowlist, so neither a parser quirk
nor a hostile input can put script, styles or foreign images on a page.
"""

import re
import threading
import unicodedata

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
_SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


_local = threading.local()


def _converter() -> md.Markdown:
    # Building a converter costs more than converting a post, so each thread
    # keeps one and resets it between documents.
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = md.Markdown(extensions=["tables", "fenced_code", "sane_lists"])
        # Treat raw HTML as literal text: authors see what they typed, and the
        # browser never parses it.
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
        _local.converter = converter
    return converter.reset()


def _url_filter(_tag: str, attribute: str, value: str) -> str | None:
    """Drop a URL whose scheme is unsafe once whitespace and control characters go.

    nh3 reads "java    script:" (Markdown turns a tab into spaces) as a relative
    path, as today's browsers do; a link must also be safe for any reader that
    strips such characters before looking at the scheme.
    """
    if attribute not in ("href", "src"):
        return value
    squeezed = "".join(
        ch for ch in value if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")
    )
    match = _SCHEME_RE.match(squeezed)
    if match and match.group(1).lower() not in URL_SCHEMES:
        return None
    return value


def render_markdown(source: str) -> str:
    html = _converter().convert(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_url_filter,
    )


def render_inline(source: str) -> str:
    """Render a one-paragraph snippet (a prompt, a position) without the <p> wrapper."""
    html = render_markdown(source).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def count_words(source: str) -> int:
    """Words as a reader counts them: runs of non-space in the Markdown source."""
    return len(source.split())
