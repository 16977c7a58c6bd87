"""Markdown to safe HTML, for case files and members' posts.

The parser is markdown-it-py (CommonMark plus tables), not Python-Markdown:
Python-Markdown has no bound on its work, so a post of 10,000 ``[`` took
10-14 s of CPU and about 3,300 ``1. `` lines overflowed its recursion limit
(issue 7). markdown-it-py's time grows linearly with the input for every
shape tests/test_markdown_speed.py tries; the limits below (nesting depth,
table cells) keep the size of the output bounded too.

Raw HTML in the source is shown as text rather than interpreted, and the
result is cleaned again with nh3 on an allowlist, so neither a parser quirk
nor a hostile input can put script, styles or foreign images on a page.
Link and image URLs are checked twice, by the parser and by nh3, with the
same strict rule (:func:`url_is_safe`).
"""

import html
import unicodedata
import urllib.parse

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import table as table_rule

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "dd", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"

MAX_NESTING = 20
MAX_TABLE_CELLS = 4_096
# Each round undoes one layer of HTML entities and one of percent-escapes; a
# URL still changing after this many rounds is refused rather than trusted.
DECODING_ROUNDS = 8


def _squeeze(url: str) -> str:
    # Browsers (and other readers) drop whitespace and control characters
    # inside a scheme, so "java\tscript:" must be judged as "javascript:".
    return "".join(
        ch for ch in url if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")
    )


def _scheme_is_allowed(url: str) -> bool:
    """False if ``url`` names a scheme (a ``:`` before any ``/ ? #``) other than ours."""
    for index, ch in enumerate(url):
        if ch in "/?#":
            return True
        if ch == ":":
            return url[:index].lower() in URL_SCHEMES
    return True


def url_is_safe(url: str) -> bool:
    """Whether a link or image URL may be kept, as written and however it decodes.

    Entities (``&#106;``), percent-escapes (``%6A``, ``%0a``) and stray
    control characters can each hide ``javascript:`` from a naive check, and
    they can be stacked, so every layer is peeled off and checked in turn.
    """
    current = url
    for _ in range(DECODING_ROUNDS):
        if not (_scheme_is_allowed(current) and _scheme_is_allowed(_squeeze(current))):
            return False
        decoded = urllib.parse.unquote(html.unescape(current))
        if decoded == current:
            return True
        current = decoded
    return False


def _attribute_filter(_tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src") and not url_is_safe(value):
        return None
    return value


def _bounded_table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """The GFM table rule, limited to MAX_TABLE_CELLS cells per document.

    A header row with thousands of columns over thousands of short lines
    makes a table far larger than its source. Rows past the budget end the
    table early and are shown as the text they were typed as.
    """
    used = state.env.get("table_cells", 0)
    delimiter = state.src[state.bMarks[start_line + 1] + state.tShift[start_line + 1]:
                          state.eMarks[start_line + 1]] if start_line + 1 < end_line else ""
    columns = max(1, sum(1 for part in delimiter.split("|") if part.strip()))
    rows_allowed = (MAX_TABLE_CELLS - used) // columns  # including the header row
    if rows_allowed < 1:
        return False
    first_token = len(state.tokens)
    matched = table_rule(state, start_line, min(end_line, start_line + 1 + rows_allowed), silent)
    if matched and not silent:
        cells = sum(1 for token in state.tokens[first_token:]
                    if token.type in ("th_open", "td_open"))
        state.env["table_cells"] = used + cells
    return matched


def _table_cell(self, tokens, index, options, env):
    # nh3 removes style attributes, so alignment travels as align= instead.
    token = tokens[index]
    style = token.attrs.pop("style", None)
    if isinstance(style, str) and style.startswith("text-align:"):
        token.attrSet("align", style.removeprefix("text-align:"))
    return self.renderToken(tokens, index, options, env)


def _parser() -> MarkdownIt:
    # html=False shows raw HTML as text: authors see what they typed, and the
    # browser never parses it. The instance holds no per-document state (each
    # render gets its own), so one parser serves every thread.
    parser = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    parser.enable("table")
    parser.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})
    parser.add_render_rule("th_open", _table_cell)
    parser.add_render_rule("td_open", _table_cell)
    parser.validateLink = url_is_safe
    return parser


_PARSER = _parser()


def clean(html_text: str) -> str:
    """Keep only allowlisted tags, attributes and URLs in ``html_text``."""
    return nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )


def render_markdown(source: str) -> str:
    return clean(_PARSER.render(source, {}))


def render_inline(source: str) -> str:
    """Render a one-paragraph snippet (a prompt, a position) without the <p> wrapper."""
    html_text = render_markdown(source).strip()
    if html_text.startswith("<p>") and html_text.endswith("</p>") and html_text.count("<p>") == 1:
        return html_text[3:-4]
    return html_text


def count_words(source: str) -> int:
    """Words as a reader counts them: runs of non-space in the Markdown source."""
    return len(source.split())
