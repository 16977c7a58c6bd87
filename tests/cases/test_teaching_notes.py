"""Teaching notes in case files: what the loader accepts and what it tells an author."""

import pytest

from casebook.cases.loader import CaseFileError, parse_case_file
from tests.cases.casefiles import REPO_CASES, SAMPLE, join_case, sample_front


@pytest.mark.parametrize("path", REPO_CASES, ids=lambda path: path.stem)
def test_every_library_case_has_complete_teaching_notes(path):
    notes = parse_case_file(path).teaching_notes

    assert notes is not None
    assert sum(step["minutes"] for step in notes["seminar_plan"]) == 90
    assert len(notes["reading_group_plan"]) == 6
    assert notes["objectives"] and notes["key_terms"] and notes["pitfalls"]
    # Safeguarding guidance points to the support list rather than inventing numbers.
    assert "support list" in notes["safeguarding"]
    assert "999" in notes["safeguarding"]


def _problems(tmp_path, change) -> list[str]:
    front, body = sample_front()
    change(front["teaching_notes"])
    path = tmp_path / SAMPLE.name
    path.write_text(join_case(front, body), encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        parse_case_file(path)
    return [f"{p.field}: {p.message}" for p in caught.value.problems]


def _longer_seminar(notes):
    notes["seminar_plan"][0]["minutes"] += 5


def _five_weeks(notes):
    notes["reading_group_plan"].pop()


def _unknown_prompt(notes):
    notes["seminar_plan"][1]["prompts"] = ["understand-nothing"]


def _no_safeguarding(notes):
    del notes["safeguarding"]


def _minutes_as_text(notes):
    notes["seminar_plan"][0]["minutes"] = "ten"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_longer_seminar, "teaching_notes.seminar_plan: minutes add up to 95; "
                          "the seminar plan is for 90"),
        (_five_weeks, "teaching_notes.reading_group_plan: has 5 weeks; "
                      "the reading-group plan is for 6"),
        (_unknown_prompt, "teaching_notes.seminar_plan[1].prompts: "
                          "'understand-nothing' is not a prompt id of this case"),
        (_no_safeguarding, "teaching_notes.safeguarding: is missing"),
        (_minutes_as_text, "teaching_notes.seminar_plan[0].minutes: "
                           "must be a whole number of minutes, at least 1"),
    ],
    ids=["minutes", "weeks", "prompt", "safeguarding", "minutes-type"],
)
def test_broken_teaching_notes_are_reported_by_field(tmp_path, change, expected):
    assert expected in _problems(tmp_path, change)


def test_teaching_notes_are_optional(tmp_path):
    front, body = sample_front()
    del front["teaching_notes"]
    path = tmp_path / SAMPLE.name
    path.write_text(join_case(front, body), encoding="utf-8")

    assert parse_case_file(path).teaching_notes is None
