"""The words search compares, and safe highlighted snippets.

Both engines index the same normalised text (``words``) and are asked for the
same normalised words (``terms``), so SQLite and PostgreSQL find the same posts:
neither engine's tokenizer, stemmer or query syntax sees what a member typed.
"""

import html
import re

from markupsafe import Markup, escape

# Letters and digits; everything else (punctuation, underscores, marks) separates words.
WORD_RE = re.compile(r"[^\W_]+")
_TAG_RE = re.compile(r"<[^>]*>")
MAX_TERMS = 10
# Longer "words" are not words anyone searches for; they are dropped, not cut.
MAX_TERM_LENGTH = 60
SNIPPET_LENGTH = 240


def words(text: str) -> str:
    """``text`` as lower-case words separated by single spaces: what is indexed."""
    return " ".join(WORD_RE.findall(text.casefold()))


def plain_text(body_html: str) -> str:
    """The text a reader sees in sanitised HTML (a post's or a case's body)."""
    return " ".join(html.unescape(_TAG_RE.sub(" ", body_html or "")).split())


def post_text(body_html: str) -> str:
    """What is indexed for a post: the words of its rendered text, so Markdown
    marks and link addresses are not searched."""
    return words(plain_text(body_html))


def terms(query: str) -> list[str]:
    """The distinct words of a member's query, in order, at most ``MAX_TERMS``."""
    found: list[str] = []
    for word in WORD_RE.findall((query or "")[:2_000].casefold()):
        if len(word) <= MAX_TERM_LENGTH and word not in found:
            found.append(word)
    return found[:MAX_TERMS]


def highlight(text: str, wanted: list[str], length: int = SNIPPET_LENGTH) -> Markup:
    """A part of ``text`` around its first matching word, every match in <mark>.

    Everything is escaped first and the marks added around escaped words, so
    the text cannot bring markup of its own."""
    wanted_set = set(wanted)
    matches = [m for m in WORD_RE.finditer(text) if m.group().casefold() in wanted_set]
    start = 0
    if matches and matches[0].start() > length // 3:
        start = text.rfind(" ", 0, matches[0].start() - length // 3) + 1
    end = len(text)
    if end - start > length:
        cut = text.rfind(" ", start, start + length)
        end = cut if cut > start else start + length
    parts = [Markup("…") if start > 0 else Markup("")]
    position = start
    for match in matches:
        if match.start() < start:
            continue
        if match.end() > end:
            break
        parts.append(escape(text[position:match.start()]))
        parts.append(Markup("<mark>") + escape(match.group()) + Markup("</mark>"))
        position = match.end()
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(Markup("…"))
    return Markup("").join(parts)
