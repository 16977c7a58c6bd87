"""Watched-word matching: whole words, any case, any spacing, any script."""

import pytest

from casebook.moderation.screening import _matches, normalise_phrase


@pytest.mark.parametrize("text", [
    "I think Smith was right.",
    "SMITH was right",
    "smith",
    "(Smith)",
    "“Smith,” she said",
    "Smith's choice",
    "It was **Smith** who posted",
    "Ask Smith?",
])
def test_a_word_matches_on_its_own_in_any_case_and_around_punctuation(text):
    assert _matches("Smith", text)


@pytest.mark.parametrize("text", [
    "Smithfield market",
    "Blacksmith",
    "Smiths_and_co",
    "goldsmithery",
    "",
])
def test_a_word_does_not_match_inside_another_word(text):
    assert not _matches("Smith", text)


@pytest.mark.parametrize("text", [
    "Ask John Smith about it",
    "Ask john   SMITH about it",
    "Ask John\nSmith about it",
    "Ask John\t \n Smith.",
])
def test_a_phrase_matches_across_any_run_of_spaces_and_newlines(text):
    assert _matches("John Smith", text)


def test_a_phrase_typed_with_extra_spaces_still_matches():
    assert _matches("  John    Smith ", "John Smith was there")


@pytest.mark.parametrize("text", ["John Smithfield", "Johnny Smith", "John, Smith", "Smith John"])
def test_a_phrase_needs_all_its_words_whole_and_in_order(text):
    assert not _matches("John Smith", text)


@pytest.mark.parametrize("text", ["Zoë said no", "ZOË said no", "zoë", "Zoe\u0308 said no",
                                  "(Zoë)"])
def test_non_ascii_names_match_whole_in_any_case_and_normal_form(text):
    assert _matches("Zoë", text)


@pytest.mark.parametrize("text", ["Zoëlle said no", "Zoe said no", "Zoëx"])
def test_non_ascii_names_do_not_match_inside_or_without_the_accent(text):
    assert not _matches("Zoë", text)


def test_a_letter_after_an_accented_name_counts_as_part_of_the_word():
    assert not _matches("Zoë", "Zoëé")
    assert _matches("Łukasz", "łukasz wrote")


def test_special_characters_in_a_phrase_are_taken_literally():
    assert _matches("St. Mary's", "at St. Mary's school")
    assert not _matches("St. Mary's", "at Stx Mary's school")
    assert _matches("a+b", "a+b")
    assert not _matches("a.b", "axb")


def test_a_blank_phrase_matches_nothing():
    assert not _matches("   ", "anything at all")


def test_phrases_are_stored_trimmed_with_single_spaces():
    assert normalise_phrase("  John \n  Smith  ") == "John Smith"
