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


def test_a_long_post_gives_the_excerpt_its_whole_text_would():
    """Only the start of a long post is read; marks at the cut change nothing."""
    from casebook.discussion.service import _plain

    def whole(text: str, limit: int) -> str:
        plain = _plain(text)
        if len(plain) <= limit:
            return plain
        cut = plain[: limit - 1].rsplit(" ", 1)[0] or plain[: limit - 1]
        return cut.rstrip(" ,;:.") + "…"

    pieces = ["word", "**bold**", "_under_", "snake_case", "[link](https://example.org/a b)",
              "\n> > quoted", "\n## heading", "`code`", "***", "____", "\n\n", "x" * 90]
    for limit in (30, 140):
        for n in range(400):
            words = [pieces[(n * 7 + i * (n % 5 + 1)) % len(pieces)] for i in range(n % 60 + 40)]
            text = " ".join(words)
            assert excerpt(text, limit) == whole(text, limit), text
