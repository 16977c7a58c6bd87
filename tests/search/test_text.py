"""What is indexed and how snippets are built: words only, and markup from a
post never survives into the snippet except the marks around found words."""

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from casebook.search.text import MAX_TERMS, highlight, post_text, terms


def test_a_posts_words_are_its_visible_text_without_markup_or_addresses():
    body = ('<p>The <strong>Vigilante</strong> group&#39;s &amp; <a href="https://example.org/'
            'hidden-path">report</a></p><ul><li>first</li><li>second_point</li></ul>')
    assert post_text(body) == "the vigilante group s report first second point"


def test_query_words_are_letters_and_digits_lower_cased_and_bounded():
    assert terms('"NEAR(a* ^b)" OR c-d e:f') == ["near", "a", "b", "or", "c", "d", "e", "f"]
    assert terms("x" * 61 + " kept") == ["kept"]
    assert len(terms(" ".join(f"w{n}" for n in range(50)))) == MAX_TERMS
    assert terms("Ünïcode ÉCOLE") == ["ünïcode", "école"]


def test_the_snippet_starts_near_the_first_match_and_marks_every_match():
    text = "Opening words. " * 30 + "The undercover officer spoke. The officer left."
    snippet = str(highlight(text, ["officer"]))
    assert snippet.startswith("…")
    assert snippet.count("<mark>officer</mark>") == 2


def test_markup_in_the_text_is_escaped_around_the_marks():
    snippet = str(highlight('<script>alert("x")</script> officer <b>bold</b>', ["officer"]))
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet and "<mark>officer</mark>" in snippet


@given(text=st.text(max_size=600), wanted=st.lists(st.from_regex(r"[a-z]{1,5}", fullmatch=True),
                                                   max_size=3))
def test_a_snippet_is_a_piece_of_the_text_with_only_marks_added(text, wanted):
    snippet = str(highlight(text, wanted))
    assert not re.search(r"<(?!/?mark>)", snippet)
    plain = html.unescape(re.sub(r"</?mark>", "", snippet)).strip("…")
    assert plain in text
