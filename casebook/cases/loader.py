"""Read and validate case files; nothing here touches the database.

Every problem is reported with the file, the field and what is wrong, and a
directory is only accepted when every file in it is valid.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from casebook.cases.models import LENSES, STAGES

# libyaml's safe loader when PyYAML was built with it: same rules, much faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$")

REQUIRED = ("slug", "title", "summary", "themes", "content_note", "reading_minutes",
            "sources", "stakeholders", "lenses", "prompts", "positions")
OPTIONAL = ("own_questions", "teaching_notes")
TEACHING_NOTES = ("objectives", "seminar_plan", "reading_group_plan", "key_terms", "pitfalls",
                  "safeguarding")
SEMINAR_MINUTES = 90
READING_GROUP_WEEKS = 6


@dataclass(frozen=True)
class CaseProblem:
    path: Path
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


class CaseFileError(Exception):
    def __init__(self, problems: list[CaseProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class PromptData:
    key: str
    stage: str
    text: str
    lens: str | None = None


@dataclass
class PositionData:
    key: str
    text: str


@dataclass
class CaseData:
    path: Path
    slug: str
    title: str
    summary: str
    themes: list[str]
    content_note: str
    reading_minutes: int
    sources: list[dict]
    stakeholders: list[dict]
    lenses: list[str]
    prompts: list[PromptData]
    positions: list[PositionData]
    body: str
    # Words the case itself puts in quotation marks, so no source has to contain them.
    own_questions: list[str] = field(default_factory=list)
    # Facilitator-only; see _teaching_notes for its shape.
    teaching_notes: dict | None = None
    digest: str = field(default="")


class _Checker:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[CaseProblem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(CaseProblem(self.path, where, message))

    def text(self, value, where: str, max_len: int = 5000) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "must be non-empty text")
            return ""
        if len(value) > max_len:
            self.fail(where, f"is longer than {max_len} characters")
        return value.strip()

    def items(self, value, where: str) -> list:
        if not isinstance(value, list) or not value:
            self.fail(where, "must be a non-empty list")
            return []
        return value

    def mapping(self, value, where: str, required: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping with " + ", ".join(required))
            return {}
        for key in value:
            if key not in required and key not in optional:
                self.fail(f"{where}.{key}", "is not a known field")
        result = {}
        for key in required:
            if key not in value:
                self.fail(f"{where}.{key}", "is missing")
            else:
                result[key] = self.text(value[key], f"{where}.{key}")
        for key in optional:
            if value.get(key) is not None:
                result[key] = self.text(str(value[key]), f"{where}.{key}")
        return result

    def ident(self, value, where: str, seen: set[str]) -> str:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.fail(where, "must be 2-40 lowercase letters, digits or hyphens, e.g. 'decide-1'")
            return ""
        if value in seen:
            self.fail(where, f"duplicate id '{value}'")
        seen.add(value)
        return value


def split_front_matter(raw: str) -> tuple[str, str] | None:
    lines = raw.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1:])
    return None


def parse_case_file(path: Path) -> CaseData:
    """Parse one case file. Raises CaseFileError listing every problem found."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError([CaseProblem(path, "file", f"cannot be read: {exc}")]) from exc
    return parse_case_text(raw, path)


def case_file_text(front: dict, body: str) -> str:
    """A case in the file format: ``front`` as YAML front matter, then ``body``.

    ``parse_case_text`` reads it back to the same data; group-authored cases
    are validated and downloaded in this form.
    """
    yaml_text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=88)
    return f"---\n{yaml_text}---\n\n{body.strip()}\n"


def parse_case_text(raw: str, path: Path) -> CaseData:
    """Parse the text of one case file; ``path`` only names it in problems.
    Raises CaseFileError listing every problem found."""
    check = _Checker(path)
    parts = split_front_matter(raw)
    if parts is None:
        raise CaseFileError([CaseProblem(
            path, "front matter", "the file must start with '---', YAML fields, then '---'"
        )])
    front_raw, body = parts
    try:
        # _SAFE_LOADER is yaml.(C)SafeLoader; the linters only see a variable.
        front = yaml.load(front_raw, Loader=_SAFE_LOADER)  # noqa: S506  # nosec B506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}" if mark is not None else "front matter"
        problem = getattr(exc, "problem", None) or str(exc)
        raise CaseFileError([CaseProblem(path, where, f"invalid YAML: {problem}")]) from exc
    if not isinstance(front, dict):
        raise CaseFileError([CaseProblem(path, "front matter", "must be a YAML mapping")])

    for key in front:
        if key not in REQUIRED and key not in OPTIONAL:
            check.fail(str(key), "is not a known field")
    for key in REQUIRED:
        if key not in front:
            check.fail(key, "is missing")

    slug = front.get("slug")
    if "slug" in front and (not isinstance(slug, str) or not SLUG_RE.match(slug)):
        check.fail("slug", "must be lowercase letters, digits and hyphens, "
                           "e.g. 'online-vigilantes'")
    title = check.text(front.get("title"), "title", 200) if "title" in front else ""
    summary = check.text(front.get("summary"), "summary", 1000) if "summary" in front else ""
    content_note = (check.text(front.get("content_note"), "content_note", 1000)
                    if "content_note" in front else "")

    minutes = front.get("reading_minutes")
    if "reading_minutes" in front and (
        not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 120
    ):
        check.fail("reading_minutes", "must be a whole number of minutes from 1 to 120")

    themes = []
    if "themes" in front:
        for i, theme in enumerate(check.items(front["themes"], "themes")):
            themes.append(check.text(theme, f"themes[{i}]", 60).lower())

    sources = [
        check.mapping(item, f"sources[{i}]", ("title", "publisher"), ("author", "date", "note"))
        for i, item in enumerate(check.items(front.get("sources"), "sources"))
    ] if "sources" in front else []
    stakeholders = [
        check.mapping(item, f"stakeholders[{i}]", ("name", "interest"))
        for i, item in enumerate(check.items(front.get("stakeholders"), "stakeholders"))
    ] if "stakeholders" in front else []

    lenses = []
    if "lenses" in front:
        for i, lens in enumerate(check.items(front["lenses"], "lenses")):
            # A list or mapping is not hashable: ask its type before the lookup.
            if not isinstance(lens, str) or lens not in LENSES:
                check.fail(f"lenses[{i}]", f"'{lens}' is not one of: {', '.join(LENSES)}")
            else:
                lenses.append(lens)

    before_prompts = len(check.problems)
    prompts = _prompts(check, front["prompts"]) if "prompts" in front else []
    # Plans name prompts by id; with broken prompts every name would be a second,
    # misleading problem.
    prompts_valid = "prompts" in front and len(check.problems) == before_prompts
    positions = []
    if "positions" in front:
        seen: set[str] = set()
        for i, item in enumerate(check.items(front["positions"], "positions")):
            where = f"positions[{i}]"
            if not isinstance(item, dict):
                check.fail(where, "must be a mapping with id and text")
                continue
            key = check.ident(item.get("id"), f"{where}.id", seen)
            text = check.text(item.get("text"), f"{where}.text", 500)
            positions.append(PositionData(key=key, text=text))

    own_questions = [
        check.text(item, f"own_questions[{i}]", 500)
        for i, item in enumerate(check.items(front["own_questions"], "own_questions"))
    ] if "own_questions" in front else []

    teaching_notes = (_teaching_notes(check, front["teaching_notes"],
                                      prompts if prompts_valid else None)
                      if "teaching_notes" in front else None)

    if not body.strip():
        check.fail("body", "the case needs a Markdown body after the front matter")

    if check.problems:
        raise CaseFileError(check.problems)
    return CaseData(
        path=path, slug=slug, title=title, summary=summary, themes=sorted(set(themes)),
        content_note=content_note, reading_minutes=minutes, sources=sources,
        stakeholders=stakeholders, lenses=lenses, prompts=prompts, positions=positions,
        body=body.strip() + "\n", own_questions=own_questions, teaching_notes=teaching_notes,
        digest=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
    )


def _prompts(check: _Checker, value) -> list[PromptData]:
    if not isinstance(value, dict) or not value:
        check.fail("prompts", f"must map stages ({', '.join(STAGES)}) to lists of prompts")
        return []
    prompts: list[PromptData] = []
    seen: set[str] = set()
    for stage in value:
        if stage not in STAGES:
            check.fail(f"prompts.{stage}", f"is not a stage; use: {', '.join(STAGES)}")
    for stage in STAGES:
        if stage not in value:
            continue
        for i, item in enumerate(check.items(value[stage], f"prompts.{stage}")):
            where = f"prompts.{stage}[{i}]"
            if not isinstance(item, dict):
                check.fail(where, "must be a mapping with id and text")
                continue
            for key in item:
                if key not in ("id", "text", "lens"):
                    check.fail(f"{where}.{key}", "is not a known field")
            key = check.ident(item.get("id"), f"{where}.id", seen)
            text = check.text(item.get("text"), f"{where}.text", 2000)
            lens = item.get("lens")
            if lens is not None and (not isinstance(lens, str) or lens not in LENSES):
                check.fail(f"{where}.lens", f"'{lens}' is not one of: {', '.join(LENSES)}")
                lens = None
            prompts.append(PromptData(key=key, stage=stage, text=text, lens=lens))
    return prompts


def _plan(check: _Checker, value, where: str, prompt_keys: set[str] | None,
          with_minutes: bool) -> list[dict]:
    steps = []
    for i, item in enumerate(check.items(value, where)):
        here = f"{where}[{i}]"
        required = ("minutes", "activity") if with_minutes else ("activity",)
        if not isinstance(item, dict):
            check.fail(here, "must be a mapping with " + ", ".join(required))
            continue
        for key in item:
            if key not in (*required, "prompts"):
                check.fail(f"{here}.{key}", "is not a known field")
        step: dict = {"activity": check.text(item.get("activity"), f"{here}.activity", 1000)}
        if with_minutes:
            minutes = item.get("minutes")
            if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
                check.fail(f"{here}.minutes", "must be a whole number of minutes, at least 1")
                minutes = 0
            step["minutes"] = minutes
        keys = item.get("prompts", [])
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            check.fail(f"{here}.prompts", "must be a list of prompt ids")
            keys = []
        for key in keys:
            if prompt_keys is not None and key not in prompt_keys:
                check.fail(f"{here}.prompts", f"'{key}' is not a prompt id of this case")
        step["prompts"] = keys
        steps.append(step)
    return steps


def _teaching_notes(check: _Checker, value, prompts: list[PromptData] | None) -> dict:
    """Objectives, a 90-minute seminar plan, a six-week reading-group plan, key
    terms, pitfalls and safeguarding guidance, for facilitators and moderators."""
    if not isinstance(value, dict):
        check.fail("teaching_notes", "must be a mapping with " + ", ".join(TEACHING_NOTES))
        return {}
    for key in value:
        if key not in TEACHING_NOTES:
            check.fail(f"teaching_notes.{key}", "is not a known field")
    for key in TEACHING_NOTES:
        if key not in value:
            check.fail(f"teaching_notes.{key}", "is missing")
    prompt_keys = {prompt.key for prompt in prompts} if prompts is not None else None
    notes = {
        "objectives": [check.text(item, f"teaching_notes.objectives[{i}]", 500)
                       for i, item in enumerate(check.items(value.get("objectives"),
                                                            "teaching_notes.objectives"))],
        "seminar_plan": _plan(check, value.get("seminar_plan"), "teaching_notes.seminar_plan",
                              prompt_keys, with_minutes=True),
        "reading_group_plan": _plan(check, value.get("reading_group_plan"),
                                    "teaching_notes.reading_group_plan", prompt_keys,
                                    with_minutes=False),
        "key_terms": [check.mapping(item, f"teaching_notes.key_terms[{i}]", ("term", "meaning"))
                      for i, item in enumerate(check.items(value.get("key_terms"),
                                                           "teaching_notes.key_terms"))],
        "pitfalls": [check.text(item, f"teaching_notes.pitfalls[{i}]", 1000)
                     for i, item in enumerate(check.items(value.get("pitfalls"),
                                                          "teaching_notes.pitfalls"))],
        "safeguarding": check.text(value.get("safeguarding"), "teaching_notes.safeguarding"),
    }
    total = sum(step["minutes"] for step in notes["seminar_plan"])
    if notes["seminar_plan"] and total != SEMINAR_MINUTES:
        check.fail("teaching_notes.seminar_plan",
                   f"minutes add up to {total}; the seminar plan is for {SEMINAR_MINUTES}")
    weeks = len(notes["reading_group_plan"])
    if weeks and weeks != READING_GROUP_WEEKS:
        check.fail("teaching_notes.reading_group_plan",
                   f"has {weeks} weeks; the reading-group plan is for {READING_GROUP_WEEKS}")
    return notes


def load_directory(directory: Path) -> list[CaseData]:
    """Parse every ``*.md`` case in ``directory`` (README.md excepted).

    Raises CaseFileError with the problems of all files, including slugs used
    by more than one file, so nothing is imported from a half-valid folder.
    """
    if not directory.is_dir():
        raise CaseFileError([CaseProblem(directory, "directory", "does not exist")])
    problems: list[CaseProblem] = []
    cases: list[CaseData] = []
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            cases.append(parse_case_file(path))
        except CaseFileError as exc:
            problems.extend(exc.problems)
    first_by_slug: dict[str, Path] = {}
    for case in cases:
        if case.slug in first_by_slug:
            problems.append(CaseProblem(
                case.path, "slug",
                f"duplicate slug '{case.slug}' (also used by {first_by_slug[case.slug]})",
            ))
        else:
            first_by_slug[case.slug] = case.path
    if problems:
        raise CaseFileError(problems)
    return cases
