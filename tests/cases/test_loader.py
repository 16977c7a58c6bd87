"""Validating case files: what an author sees when a file is wrong.

Every broken folder is run through ``casebook import-cases`` as an operator
would, so the assertions are on the printed messages and the exit status.
"""

import re

import pytest
from sqlalchemy import func, select

from casebook.cases.loader import CaseFileError, load_directory, parse_case_file
from casebook.cases.models import Case, Prompt
from tests.cases.casefiles import (
    REPO_CASES,
    SAMPLE,
    join_case,
    replace_once,
    sample_front,
    sample_text,
    split_case,
)
from tests.conftest import CASES_DIR

TITLE_LINE = 'title: "Online vigilantes: feared more than the police?"\n'


def _problem_lines(output: str, path) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"error: {path}: ")]


def _assert_problem(output: str, path, field: str, fragment: str) -> None:
    prefix = f"error: {path}: {field}: "
    lines = [line for line in output.splitlines() if line.startswith(prefix)]
    assert lines, f"no problem reported for {field!r} in {path}:\n{output}"
    assert any(fragment in line for line in lines), (
        f"{field!r} reported without {fragment!r}:\n{output}"
    )


def _case_count(fresh_session) -> int:
    with fresh_session() as session:
        return session.scalar(select(func.count()).select_from(Case))


# --- the repository's own cases -------------------------------------------


def test_every_repository_case_is_valid():
    cases = load_directory(CASES_DIR)
    assert len(cases) == 4
    # The README asks authors to name each file after its slug.
    assert sorted(case.slug for case in cases) == sorted(path.stem for path in REPO_CASES)


@pytest.mark.parametrize("path", REPO_CASES, ids=lambda path: path.stem)
def test_repository_case_follows_the_authoring_rules(path):
    """Rules from cases/README.md that the importer itself does not check."""
    case = parse_case_file(path)
    front, _ = split_case(path.read_text(encoding="utf-8"))
    assert list(front["prompts"]) == [
        "understand", "stakeholders", "lenses", "decide", "reflect"
    ], "prompts must have the five stages, in order"
    assert 10 <= len(case.prompts) <= 15
    assert 1 <= len(case.positions) <= 3
    for prompt in case.prompts:
        assert prompt.lens is None or prompt.stage == "lenses", prompt.key
    assert not re.search(r"^# ", case.body, re.MULTILINE), "the body has no level-1 heading"


# Each step of the National Decision Model, as REFERENCE.md names it, and the
# words a prompt must use to show it walks that step.
NDM_STEPS = {
    "Code of Ethics at the centre": ("code of ethics",),
    "information and intelligence": ("information",),
    "threat and risk, with a working strategy": ("threat", "risk", "working strategy"),
    "powers and policy": ("powers", "policy"),
    "options and contingencies": ("options", "contingencies"),
    "action and review": ("action", "review"),
}


@pytest.mark.parametrize("path", REPO_CASES, ids=lambda path: path.stem)
def test_repository_case_opens_with_a_decision_its_ndm_prompt_walks(path):
    case = parse_case_file(path)
    headings = re.findall(r"^## (.+)$", case.body, re.MULTILINE)
    assert headings[:2] == ["The decision", "Background"], "the case opens with its decision"
    decision = case.body.split("## Background")[0]
    assert "Imagine you are" in decision or "Imagine you hold" in decision, "a role is named"
    assert "decide" in decision, "the opening puts a choice to the reader"

    ndm = [prompt for prompt in case.prompts if prompt.lens == "ndm"]
    assert len(ndm) == 1
    wording = ndm[0].text.casefold()
    assert "*the decision*" in wording, "the walk is of the case's own decision"
    missing = [step for step, words in NDM_STEPS.items()
               if not all(word in wording for word in words)]
    assert missing == [], f"the NDM prompt skips: {missing}"


# --- one problem at a time -------------------------------------------------


def _without_title(text: str) -> str:
    return replace_once(text, TITLE_LINE, "")


def _bad_yaml(text: str) -> str:
    # An unquoted title containing ": " is the README's first YAML tip.
    return replace_once(text, TITLE_LINE, "title: Online vigilantes: feared more?\n")


def _duplicate_prompt_id(text: str) -> str:
    return replace_once(text, "id: decide-response", "id: decide-stance")


def _unknown_stage(text: str) -> str:
    return replace_once(text, "\n  reflect:\n", "\n  ponder:\n")


def _unknown_prompt_lens(text: str) -> str:
    return replace_once(text, "lens: care\n", "lens: kindness\n")


def _unknown_case_lens(text: str) -> str:
    return replace_once(text, "lenses:\n  - consequences\n", "lenses:\n  - kindness\n")


def _minutes_as_word(text: str) -> str:
    return replace_once(text, "reading_minutes: 5\n", "reading_minutes: four\n")


def _minutes_as_quoted_number(text: str) -> str:
    return replace_once(text, "reading_minutes: 5\n", 'reading_minutes: "4"\n')


def _minutes_as_fraction(text: str) -> str:
    return replace_once(text, "reading_minutes: 5\n", "reading_minutes: 4.5\n")


def _no_front_matter(text: str) -> str:
    _, body = split_case(text)
    return body


def _unknown_field(text: str) -> str:
    return replace_once(text, "reading_minutes: 5\n", "reading_minutes: 5\nauthor: Someone\n")


def _empty_body(text: str) -> str:
    front, _ = split_case(text)
    return join_case(front, "\n")


ONE_PROBLEM = [
    pytest.param(_without_title, "title", "is missing", id="missing-title"),
    pytest.param(_bad_yaml, "line 3", "invalid YAML", id="bad-yaml"),
    pytest.param(_duplicate_prompt_id, "prompts.decide[1].id", "duplicate id 'decide-stance'",
                 id="duplicate-prompt-id"),
    pytest.param(_unknown_stage, "prompts.ponder", "is not a stage", id="unknown-stage"),
    pytest.param(_unknown_prompt_lens, "prompts.lenses[4].lens", "'kindness' is not one of",
                 id="unknown-prompt-lens"),
    pytest.param(_unknown_case_lens, "lenses[0]", "'kindness' is not one of",
                 id="unknown-case-lens"),
    pytest.param(_minutes_as_word, "reading_minutes", "must be a whole number",
                 id="minutes-word"),
    pytest.param(_minutes_as_quoted_number, "reading_minutes", "must be a whole number",
                 id="minutes-quoted"),
    pytest.param(_minutes_as_fraction, "reading_minutes", "must be a whole number",
                 id="minutes-fraction"),
    pytest.param(_no_front_matter, "front matter", "must start with '---'",
                 id="no-front-matter"),
    pytest.param(_unknown_field, "author", "is not a known field", id="unknown-field"),
    pytest.param(_empty_body, "body", "needs a Markdown body", id="empty-body"),
]


@pytest.mark.parametrize(("mutate", "field", "fragment"), ONE_PROBLEM)
def test_problem_is_reported_with_file_field_and_reason(
    case_dir, run_import, fresh_session, mutate, field, fragment
):
    broken = case_dir / SAMPLE.name
    broken.write_text(mutate(sample_text()), encoding="utf-8")

    result = run_import(case_dir)

    assert result.exit_code != 0
    _assert_problem(result.output, broken, field, fragment)
    # Only the broken file is named: the three good ones raise nothing.
    assert len([line for line in result.output.splitlines() if line.startswith("error: ")]) == 1
    assert "1 problem(s) found; nothing was imported." in result.output
    assert _case_count(fresh_session) == 0


def test_bad_yaml_names_the_line_of_the_file(tmp_path):
    path = tmp_path / "case.md"
    path.write_text(_bad_yaml(sample_text()), encoding="utf-8")

    with pytest.raises(CaseFileError) as caught:
        parse_case_file(path)

    [problem] = caught.value.problems
    assert problem.path == path
    # The title is on line 3 of the file (line 2 of the front matter).
    assert problem.field == "line 3"
    assert problem.message.startswith("invalid YAML: ")


def test_duplicate_slug_names_both_files(case_dir, run_import, fresh_session):
    copy = case_dir / "a-copy-of-online-vigilantes.md"
    copy.write_text(sample_text(), encoding="utf-8")

    result = run_import(case_dir)

    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if "duplicate slug" in line]
    assert len(lines) == 1, result.output
    assert str(copy) in lines[0]
    assert str(case_dir / SAMPLE.name) in lines[0]
    assert "'online-vigilantes'" in lines[0]
    assert _case_count(fresh_session) == 0


def test_every_problem_in_every_file_is_reported_in_one_run(
    case_dir, run_import, fresh_session
):
    first = case_dir / SAMPLE.name
    first.write_text(_minutes_as_word(_without_title(sample_text())), encoding="utf-8")
    second = case_dir / "undercover-simon.md"
    front, body = split_case(second.read_text(encoding="utf-8"))
    front["prompts"]["ponder"] = front["prompts"].pop("reflect")
    second.write_text(join_case(front, body), encoding="utf-8")

    result = run_import(case_dir)

    assert result.exit_code != 0
    _assert_problem(result.output, first, "title", "is missing")
    _assert_problem(result.output, first, "reading_minutes", "must be a whole number")
    _assert_problem(result.output, second, "prompts.ponder", "is not a stage")
    assert len(_problem_lines(result.output, first)) == 2
    assert len(_problem_lines(result.output, second)) == 1
    assert "3 problem(s) found; nothing was imported." in result.output
    assert _case_count(fresh_session) == 0


def test_loader_collects_every_problem_of_a_file(tmp_path):
    front, body = sample_front()
    del front["summary"]
    front["reading_minutes"] = 0
    front["prompts"]["decide"][0]["lens"] = "kindness"
    path = tmp_path / "case.md"
    path.write_text(join_case(front, body), encoding="utf-8")

    with pytest.raises(CaseFileError) as caught:
        parse_case_file(path)

    fields = {problem.field for problem in caught.value.problems}
    assert fields == {"summary", "reading_minutes", "prompts.decide[0].lens"}
    assert all(problem.path == path for problem in caught.value.problems)
    assert str(caught.value).splitlines()[0].startswith(f"{path}: ")


def test_missing_folder_is_reported(tmp_path, run_import, fresh_session):
    result = run_import(tmp_path / "no-such-folder")

    assert result.exit_code != 0
    assert f"error: {tmp_path / 'no-such-folder'}: directory: does not exist" in result.output
    assert _case_count(fresh_session) == 0


def test_nothing_is_imported_when_one_of_four_files_is_broken(
    case_dir, run_import, fresh_session
):
    broken = case_dir / "undercover-simon.md"
    front, body = split_case(broken.read_text(encoding="utf-8"))
    front["reading_minutes"] = "ten"
    broken.write_text(join_case(front, body), encoding="utf-8")

    result = run_import(case_dir)

    assert result.exit_code != 0
    assert "nothing was imported" in result.output
    with fresh_session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(Prompt)) == 0
