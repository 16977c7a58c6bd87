"""The case-file validator answers any file with a case or with its own list of
problems, never another exception (issue 10.5).

Hypothesis starts from a real case and replaces one front-matter field with an
arbitrary YAML value, or writes arbitrary text as the whole file, so each check
meets values of every type and shape an author (or a broken editor) could write.
"""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from casebook.cases.loader import CaseFileError, parse_case_file
from tests.cases.casefiles import SAMPLE, join_case, split_case

FRONT, BODY = split_case(SAMPLE.read_text(encoding="utf-8"))

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=40), st.sampled_from(["", "-", "rights", "s1-facts", "a" * 600]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["id", "text", "stage", "title", "publisher",
                                         "name", "interest", "lens", "minutes", "x"]),
                        inner, max_size=4),
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from([*sorted(FRONT), "unknown_field"])


def _outcome(path):
    try:
        case = parse_case_file(path)
    except CaseFileError as error:
        # Every problem names where it is and says what is wrong, in words.
        assert error.problems
        assert all(p.message.strip() for p in error.problems)
        return None
    return case


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=FIELDS, value=VALUES)
# Found by this test: a list where a lens name belongs raised TypeError.
@example(field="lenses", value=[["rights"]])
@example(field="prompts", value={"understand": [{"id": "ab", "text": "t", "lens": {}}]})
def test_any_value_in_any_field_gives_a_case_or_its_problems(tmp_path, field, value):
    front = dict(FRONT)
    front[field] = value
    path = tmp_path / "case.md"
    path.write_text(join_case(front, BODY), encoding="utf-8")

    case = _outcome(path)

    if case is not None:
        assert case.slug and case.prompts


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(["---\n", "slug: x\n", "prompts:\n", "  - ", "{", "[", "&a ",
                              "*a ", "!!python/object:os.system ", ": ", "\t", "\x00",
                              "é", "\n"]), max_size=60).map("".join),
))
def test_any_text_as_a_case_file_gives_a_case_or_its_problems(tmp_path, text):
    path = tmp_path / "case.md"
    path.write_text(text, encoding="utf-8")

    assert _outcome(path) is None
