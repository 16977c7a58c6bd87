"""Excerpts in the activity list and reply quotes read like the post, punctuation included."""

import pytest

from casebook.discussion.service import excerpt


@pytest.mark.parametrize(("markdown", "expected"), [
    ("The officer acted **firmly**.", "The officer acted firmly."),
    ("See *this*, and _that_; then `code`: done.", "See this, and that; then code: done."),
    ("Read [the guidance](https://example.org/g).", "Read the guidance."),
    ("> Quoted line.\n\nMy answer, **briefly**!", "Quoted line. My answer, briefly!"),
    ("## Heading\nBody text.", "Heading Body text."),
    ("snake_case_name stays whole", "snake_case_name stays whole"),
])
def test_marks_are_dropped_without_adding_spaces(markdown, expected):
    assert excerpt(markdown) == expected


def test_a_long_text_is_cut_at_a_word_with_an_ellipsis():
    text = "word " * 60
    short = excerpt(text, 30)
    assert short.endswith("…") and len(short) <= 30
    assert " …" not in short
