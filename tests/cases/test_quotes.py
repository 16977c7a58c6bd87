"""Every phrase a case puts in quotation marks is either in its sources or marked as its own.

A quotation mark tells the reader "someone said exactly this". The source
articles live outside the repository (../shared/sources), so the check on the
shipped cases is skipped with a reason where they are absent.
"""

import re
from pathlib import Path

import pytest

from casebook.cases.loader import CaseFileError, parse_case_file
from tests.cases.casefiles import REPO_CASES, join_case, sample_front, split_case
from tests.conftest import SHARED

SOURCES_DIR = SHARED / "sources"

# Curly quotation marks, spelt as escapes so they are unmistakable here.
LSQUO, RSQUO, LDQUO, RDQUO = "\u2018", "\u2019", "\u201c", "\u201d"
# Straight double, curly double and curly single quotes. A closing curly
# single quote followed by a letter is an apostrophe inside the quotation.
_QUOTED = re.compile(
    f'"([^"]+)"|{LDQUO}([^{RDQUO}]+){RDQUO}|{LSQUO}(.+?){RSQUO}(?![A-Za-z])', re.DOTALL
)
_EDGE_PUNCTUATION = " \t\n.,;:!?*_"


def normalise(text: str) -> str:
    """Fold the differences a faithful quotation may have from its source."""
    for curly, straight in ((LSQUO, "'"), (RSQUO, "'"), (LDQUO, '"'), (RDQUO, '"')):
        text = text.replace(curly, straight)
    text = text.replace("*", "")
    return re.sub(r"\s+", " ", text).casefold()


def _key(phrase: str) -> str:
    return normalise(phrase).strip(_EDGE_PUNCTUATION)


def quoted_phrases(text: str) -> list[str]:
    return [next(group for group in match.groups() if group is not None)
            for match in _QUOTED.finditer(text)]


def _strings(value, skip: str = "own_questions"):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, skip)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != skip:
                yield from _strings(item, skip)


def case_texts(raw: str) -> list[str]:
    """Every piece of text a reader can see: front matter values and the body."""
    front, body = split_case(raw)
    return [*_strings(front), body]


def source_texts(sources: list[dict], folder: Path) -> dict[str, str]:
    """The files in ``folder`` that hold one of the case's listed source titles.

    Article files carry their headline; REFERENCE.md names the frameworks.
    """
    titles = [normalise(source["title"]) for source in sources]
    found = {}
    for path in sorted([*folder.glob("*.txt"), folder / "REFERENCE.md"]):
        if path.is_file():
            content = normalise(path.read_text(encoding="utf-8"))
            if any(title in content for title in titles):
                found[path.name] = content
    return found


def unsourced_quotes(texts: list[str], own_questions: list[str],
                     sources: dict[str, str]) -> list[str]:
    own = {_key(phrase) for phrase in own_questions}
    return [phrase for text in texts for phrase in quoted_phrases(text)
            if _key(phrase) not in own
            and not any(_key(phrase) in content for content in sources.values())]


def unused_own_questions(texts: list[str], own_questions: list[str]) -> list[str]:
    """Marked phrases that no longer appear in quotation marks: stale markers hide nothing."""
    quoted = {_key(phrase) for text in texts for phrase in quoted_phrases(text)}
    return [phrase for phrase in own_questions if _key(phrase) not in quoted]


@pytest.fixture(scope="module")
def shared_sources() -> Path:
    if not (SOURCES_DIR / "REFERENCE.md").is_file():
        pytest.skip(f"source articles not found at {SOURCES_DIR}")
    return SOURCES_DIR


# --- the shipped cases -----------------------------------------------------------


@pytest.mark.parametrize("path", REPO_CASES, ids=lambda path: path.stem)
def test_every_quotation_in_a_case_is_in_its_sources(path, shared_sources):
    case = parse_case_file(path)
    texts = case_texts(path.read_text(encoding="utf-8"))
    sources = source_texts(case.sources, shared_sources)
    # Without an article the check would pass on frameworks alone.
    assert any(name.endswith(".txt") for name in sources), "no source article found"

    assert unsourced_quotes(texts, case.own_questions, sources) == []
    assert unused_own_questions(texts, case.own_questions) == []


# --- the check itself, on cases it must catch ------------------------------------


SOURCE = {"article.txt": normalise(
    f"He told the Times: {LSQUO}They are less concerned about meeting police officers."
    f"{RSQUO} {LSQUO}I don{RSQUO}t think their role in the facilitation of all this has"
    f" been truly appreciated,{RSQUO} he said."
)}
QUESTION = "Do we act on every name at once?"


@pytest.mark.parametrize(
    "sentence",
    [
        'Nash said offenders were "less concerned about meeting police officers".',
        f"Bailey: {LDQUO}I don't think their role in the facilitation of all this has been"
        f" truly appreciated,{RDQUO} he said.",
        f"Bailey doubted the role had been {LSQUO}truly appreciated{RSQUO}.",
    ],
    ids=["straight", "curly-double-with-apostrophe", "curly-single"],
)
def test_a_faithful_quotation_passes(sentence):
    assert unsourced_quotes([sentence], [], SOURCE) == []


@pytest.mark.parametrize(
    ("sentence", "caught"),
    [
        pytest.param('Bailey said arrests "on their own have little effect".',
                     "on their own have little effect", id="invented-words"),
        pytest.param(f"Bailey said firms are {LDQUO}at the heart of the spread{RDQUO}.",
                     "at the heart of the spread", id="curly"),
        pytest.param(f"Nash said they were {LSQUO}less worried about police officers{RSQUO}.",
                     "less worried about police officers", id="reworded"),
    ],
)
def test_words_no_source_contains_are_reported(sentence, caught):
    assert unsourced_quotes([sentence], [], SOURCE) == [caught]


def test_the_cases_own_question_is_exempt_only_when_marked():
    sentence = f'The question for the group: "{QUESTION}"'

    assert unsourced_quotes([sentence], [], SOURCE) == [QUESTION]
    assert unsourced_quotes([sentence], [QUESTION], SOURCE) == []
    assert unused_own_questions([sentence], [QUESTION]) == []


def test_a_marker_whose_phrase_is_gone_is_reported():
    assert unused_own_questions(["No quotation here."], [QUESTION]) == [QUESTION]


def test_quotes_in_front_matter_and_body_are_both_checked():
    front, body = sample_front()
    front["prompts"]["decide"][0]["text"] = 'Should police "use the powers we have"?'
    texts = case_texts(join_case(front, body + '\nOne officer "never gives up".\n'))

    reported = unsourced_quotes(texts, [], SOURCE)
    assert "use the powers we have" in reported
    assert "never gives up" in reported


def test_the_loader_accepts_own_questions_and_rejects_a_malformed_list(tmp_path):
    front, body = sample_front()
    front["own_questions"] = [QUESTION]
    good = tmp_path / "online-vigilantes.md"
    good.write_text(join_case(front, body), encoding="utf-8")
    assert parse_case_file(good).own_questions == [QUESTION]

    front["own_questions"] = QUESTION
    good.write_text(join_case(front, body), encoding="utf-8")
    with pytest.raises(CaseFileError, match="own_questions: must be a non-empty list"):
        parse_case_file(good)
