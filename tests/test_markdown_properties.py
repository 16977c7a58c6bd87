"""Properties that hold for any text a member might type (issue 10.5).

Hypothesis generates text weighted towards Markdown's own punctuation, so
brackets, quotes, backslashes, entities and line starts like ``>`` or ``1.``
meet each other far more often than in ordinary prose.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.markdown import clean, render_inline, render_markdown

MARKDOWN_PIECES = st.sampled_from([
    "[", "]", "(", ")", "![", "<", ">", "*", "_", "**", "`", "```", "~", "|", "|-|", "\\",
    "&", "&#", "&#106;", "&#x09;", "%0a", "%6A", ";", ":", "/", "?", "#", '"', "'", " ",
    "\n", "\n\n", "\t", "    ", "- ", "1. ", "> ", "# ", "---", "javascript:", "http://",
    "https://e.org", "mailto:", "data:", "a", "b", "é", "\x00", "\u200b",
])
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(MARKDOWN_PIECES, max_size=80).map("".join),
)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_rendering_any_text_gives_html_the_sanitiser_leaves_alone(source):
    html = render_markdown(source)

    # Cleaning again changes nothing: what is stored is already in the form
    # the sanitiser produces, so nothing in it relied on being cleaned twice.
    assert clean(html) == html


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_inline_rendering_of_any_text_is_clean_too(source):
    html = render_inline(source)

    assert clean(html) == html
