"""Build case files for tests from the repository's real cases.

Tests copy a real case and change its text, so every file they import is the
format authors actually write, and a fixture never drifts from it.
"""

import shutil
from pathlib import Path

import yaml

from tests.conftest import CASES_DIR

REPO_CASES = sorted(p for p in CASES_DIR.glob("*.md") if p.name.lower() != "readme.md")
SAMPLE = CASES_DIR / "online-vigilantes.md"
SAMPLE_SLUG = "online-vigilantes"


def copy_repo_cases(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in REPO_CASES:
        shutil.copy(path, folder / path.name)
    return folder


def replace_once(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced; fails loudly if the sample no longer contains it."""
    assert text.count(old) == 1, f"expected exactly one {old!r} in the sample case"
    return text.replace(old, new)


def split_case(text: str) -> tuple[dict, str]:
    """Front matter (as data) and body of a case file's text."""
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def join_case(front: dict, body: str) -> str:
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n{body}"


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def sample_front() -> tuple[dict, str]:
    return split_case(sample_text())


def with_prompts(slug: str, title: str, count: int) -> str:
    """The sample case under another slug and title, with ``count`` prompts over the stages."""
    front, body = sample_front()
    front["slug"] = slug
    front["title"] = title
    stages = ["understand", "stakeholders", "lenses", "decide", "reflect"]
    prompts: dict[str, list[dict]] = {stage: [] for stage in stages}
    for number in range(count):
        stage = stages[number % len(stages)]
        prompts[stage].append({"id": f"{stage}-{number}", "text": f"Generated prompt {number}?"})
    front["prompts"] = {stage: items for stage, items in prompts.items() if items}
    front.pop("teaching_notes", None)  # its plans name the prompts replaced here
    return join_case(front, body)
