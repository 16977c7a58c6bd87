"""Importing cases: all or nothing, upsert by slug, prompts retired rather than lost."""

import dataclasses
import html
import shutil

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casebook.cases.loader import load_directory
from casebook.cases.models import Case, CaseTheme, Prompt
from casebook.cases.service import import_cases
from tests.cases.casefiles import (
    REPO_CASES,
    SAMPLE,
    SAMPLE_SLUG,
    join_case,
    replace_once,
    sample_text,
    split_case,
)
from tests.conftest import CASES_DIR

ALL_SLUGS = sorted(path.stem for path in REPO_CASES)


def _ids(fresh_session) -> dict:
    """Every case id by slug, and every prompt id by (slug, key), with retired flags."""
    with fresh_session() as session:
        cases = {c.slug: c.id for c in session.scalars(select(Case))}
        prompts = {
            (slug, p.key): (p.id, p.retired)
            for p, slug in session.execute(select(Prompt, Case.slug).join(Case))
        }
    return {"cases": cases, "prompts": prompts}


def _count(fresh_session, model) -> int:
    with fresh_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_repository_cases_import_once_then_are_unchanged(
    case_dir, run_import, fresh_session
):
    first = run_import(case_dir)
    assert first.exit_code == 0, first.output
    assert f"Imported 4 case(s) from {case_dir}: 4 new, 0 updated, 0 unchanged." in first.output
    before = _ids(fresh_session)
    assert sorted(before["cases"]) == ALL_SLUGS

    second = run_import(case_dir)
    assert second.exit_code == 0, second.output
    assert "0 new, 0 updated, 4 unchanged." in second.output
    assert "note:" not in second.output
    assert _ids(fresh_session) == before


def test_import_without_a_folder_uses_the_configured_cases_dir(app, fresh_session):
    result = app.test_cli_runner().invoke(args=["import-cases"])

    assert result.exit_code == 0, result.output
    assert f"from {CASES_DIR}: 4 new" in result.output
    assert _count(fresh_session, Case) == 4


def test_readme_in_the_folder_is_not_a_case(case_dir, run_import, fresh_session):
    shutil.copy(CASES_DIR / "README.md", case_dir / "README.md")

    result = run_import(case_dir)

    assert result.exit_code == 0, result.output
    assert "4 new" in result.output
    assert "README" not in result.output
    assert sorted(_ids(fresh_session)["cases"]) == ALL_SLUGS


def test_broken_folder_leaves_the_library_as_it_was(case_dir, run_import, fresh_session, client):
    assert run_import(case_dir).exit_code == 0
    # A good edit to one file and a mistake in another: neither goes in.
    sample = case_dir / SAMPLE.name
    sample.write_text(
        replace_once(sample_text(), "feared more than the police?", "a changed title"),
        encoding="utf-8",
    )
    broken = case_dir / "undercover-simon.md"
    front, body = split_case(broken.read_text(encoding="utf-8"))
    del front["title"]
    broken.write_text(join_case(front, body), encoding="utf-8")

    result = run_import(case_dir)

    assert result.exit_code != 0
    assert "nothing was imported" in result.output
    page = client.get(f"/cases/{SAMPLE_SLUG}/read").get_data(as_text=True)
    assert "a changed title" not in page
    assert "feared more than the police?" in page


def test_a_database_failure_part_way_imports_nothing(app, fresh_session):
    """The service commits all cases or none, even past the loader's checks."""
    data = load_directory(CASES_DIR)
    # Two cases with one slug get past a caller that skipped load_directory's
    # duplicate check; the unique constraint then fails the whole batch.
    clash = dataclasses.replace(data[0], title="Same slug, other case")

    with fresh_session() as session, pytest.raises(IntegrityError):
        import_cases(session, [*data, clash])

    assert _count(fresh_session, Case) == 0
    assert _count(fresh_session, Prompt) == 0
    assert _count(fresh_session, CaseTheme) == 0


def test_service_reports_what_it_did(case_dir, fresh_session):
    with fresh_session() as session:
        report = import_cases(session, load_directory(case_dir))
    assert sorted(report.created) == ALL_SLUGS
    assert report.updated == report.unchanged == report.not_in_folder == []

    sample = case_dir / SAMPLE.name
    sample.write_text(
        replace_once(sample_text(), "feared more than the police?", "feared by whom?"),
        encoding="utf-8",
    )
    (case_dir / "undercover-simon.md").unlink()
    with fresh_session() as session:
        report = import_cases(session, load_directory(case_dir))
    assert report.created == []
    assert report.updated == [SAMPLE_SLUG]
    assert sorted(report.unchanged) == ["doing-what-works", "tech-firms-responsibility"]
    assert report.not_in_folder == ["undercover-simon"]


def test_changed_case_is_updated_in_place(case_dir, run_import, fresh_session, client):
    assert run_import(case_dir).exit_code == 0
    before = _ids(fresh_session)
    with fresh_session() as session:
        first_updated = session.scalar(
            select(Case.updated_at).where(Case.slug == SAMPLE_SLUG))
    text = sample_text()
    text = replace_once(text, "feared more than the police?", "who do offenders fear?")
    text = replace_once(
        text,
        "Should the police work with, tolerate, discourage or oppose online\n"
        "        vigilante groups?",
        "Should the police *ever* work with online vigilante groups?",
    )
    (case_dir / SAMPLE.name).write_text(text, encoding="utf-8")

    result = run_import(case_dir)

    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 3 unchanged." in result.output
    after = _ids(fresh_session)
    assert after == before, "case and prompt rows keep their ids"
    with fresh_session() as session:
        case = session.scalar(select(Case).where(Case.slug == SAMPLE_SLUG))
        assert case.title == "Online vigilantes: who do offenders fear?"
        stance = next(p for p in case.prompts if p.key == "decide-stance")
        assert stance.text_md.startswith("Should the police *ever* work with")
        assert case.updated_at > first_updated

    page = client.get(f"/cases/{SAMPLE_SLUG}/read").get_data(as_text=True)
    assert html.escape("Online vigilantes: who do offenders fear?") in page
    assert "Should the police <em>ever</em> work with online vigilante groups?" in page
    assert "tolerate, discourage or oppose" not in page


def _without_prompt(text: str, key: str) -> str:
    front, body = split_case(text)
    for stage, prompts in front["prompts"].items():
        front["prompts"][stage] = [p for p in prompts if p["id"] != key]
    # The teaching notes' plans name prompts too, and must not name a removed one.
    notes = front.get("teaching_notes", {})
    for step in notes.get("seminar_plan", []) + notes.get("reading_group_plan", []):
        step["prompts"] = [p for p in step.get("prompts", []) if p != key]
    return join_case(front, body)


def test_removed_prompt_is_retired_and_restored(case_dir, run_import, fresh_session, client):
    assert run_import(case_dir).exit_code == 0
    before = _ids(fresh_session)
    key = (SAMPLE_SLUG, "decide-response")
    assert before["prompts"][key][1] is False
    reader = f"/cases/{SAMPLE_SLUG}/read"
    assert 'id="prompt-decide-response"' in client.get(reader).get_data(as_text=True)

    sample = case_dir / SAMPLE.name
    sample.write_text(_without_prompt(sample_text(), "decide-response"), encoding="utf-8")
    result = run_import(case_dir)

    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    retired = _ids(fresh_session)
    assert retired["prompts"][key] == (before["prompts"][key][0], True), "kept, but retired"
    assert len(retired["prompts"]) == len(before["prompts"])
    page = client.get(reader).get_data(as_text=True)
    assert 'id="prompt-decide-response"' not in page
    assert "what, if anything, should change" not in page
    assert 'id="prompt-decide-stance"' in page

    shutil.copy(SAMPLE, sample)
    result = run_import(case_dir)

    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    assert _ids(fresh_session) == before
    assert 'id="prompt-decide-response"' in client.get(reader).get_data(as_text=True)


def test_case_whose_file_was_removed_is_kept_with_a_note(
    case_dir, run_import, fresh_session, client
):
    assert run_import(case_dir).exit_code == 0
    before = _ids(fresh_session)
    (case_dir / "undercover-simon.md").unlink()

    result = run_import(case_dir)

    assert result.exit_code == 0, result.output
    assert "Imported 3 case(s)" in result.output
    assert (
        "note: 'undercover-simon' is in the library but not in the folder; it was kept."
        in result.output
    )
    assert _ids(fresh_session) == before
    assert client.get("/cases/undercover-simon/read").status_code == 200


def test_changed_themes_change_the_library_filter(case_dir, run_import, client):
    assert run_import(case_dir).exit_code == 0
    assert f'href="/cases/{SAMPLE_SLUG}"' in client.get(
        "/cases/?theme=vigilantism").get_data(as_text=True)

    front, body = split_case(sample_text())
    front["themes"] = [t for t in front["themes"] if t != "vigilantism"] + ["Citizen Action"]
    (case_dir / SAMPLE.name).write_text(join_case(front, body), encoding="utf-8")
    assert run_import(case_dir).exit_code == 0

    assert f'href="/cases/{SAMPLE_SLUG}"' not in client.get(
        "/cases/?theme=vigilantism").get_data(as_text=True)
    # Themes are stored lower-cased, so the filter matches whatever the author typed.
    assert f'href="/cases/{SAMPLE_SLUG}"' in client.get(
        "/cases/?theme=Citizen+Action").get_data(as_text=True)
