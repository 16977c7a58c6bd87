"""Markdown renders in time bounded by its length, whatever shape a post takes.

Each shape below made the old parser (Python-Markdown) spend seconds of CPU or
overflow its recursion limit (issue 7, item 5). The bound is per character so
it does not depend on how large a shape is, plus an absolute ceiling; CPU time
(not wall time) and two retries keep a busy shared machine from failing it.
"""

import time

import pytest

from casebook.markdown import render_markdown

PER_CHARACTER = 100e-6  # seconds
CEILING = 1.0  # seconds
ATTEMPTS = 3


def _table(cells: int, columns: int = 10) -> str:
    header = "|" + "|".join("h" for _ in range(columns)) + "|\n"
    rule = "|" + "|".join("-" for _ in range(columns)) + "|\n"
    row = "|" + "|".join("1" for _ in range(columns)) + "|\n"
    return header + rule + row * (cells // columns - 1)


SHAPES = {
    "open brackets": "[" * 10_000,
    "open image brackets": "![" * 5_000,
    "bracket pairs": "[x]" * 5_000,
    "nested brackets": "[" * 5_000 + "]" * 5_000,
    "nested link brackets": "[" * 3_000 + "a" + "](b)" * 3_000,
    "emphasis runs": "*a" * 5_000,
    "underscores": "_" * 10_000,
    "strong runs": "**" * 5_000,
    "mixed emphasis": "*_" * 5_000 + "a" + "_*" * 5_000,
    "nested quotes": ">" * 5_000 + " a",
    "nested quotes on lines": "".join(">" * depth + " a\n" for depth in range(1, 200)),
    "nested list ladder": "".join(" " * (2 * depth) + "- a\n" for depth in range(200)),
    "nested list on one line": "- " * 5_000 + "a",
    "numbered lines": "1. \n" * 3_300,
    "numbered ladder": "".join(" " * (3 * depth) + "1. a\n" for depth in range(150)),
    "numbered on one line": "1. " * 3_300 + "a",
    "long link reference": "[a]: /" + "x" * 10_000 + ' "' + "t" * 5_000 + '"\n\n[a]',
    "many link references": "".join(f"[r{i}]: /u{i}\n" for i in range(1_000)) + "[r1]" * 1_000,
    "unterminated reference titles": '[a]: /u "' * 2_000,
    "backtick runs": "`" * 10_000,
    "growing backtick runs": "".join("`" * n + "a" for n in range(1, 140)),
    "angle brackets": "<" * 10_000,
    "angle autolink starts": "<a" * 5_000,
    "entity starts": "&#" * 5_000,
    "long entities": "&#" + "1" * 10_000 + ";",
    "table of 100,000 cells": _table(100_000),
    "wide header, short rows": "|" + "a|" * 2_000 + "\n|" + "-|" * 2_000 + "\n" + "x\n" * 2_000,
    "link destinations": "[a](<" * 3_000,
    "link titles": '[a](b "' * 3_000,
}


@pytest.mark.parametrize("source", SHAPES.values(), ids=SHAPES.keys())
def test_pathological_markdown_renders_in_bounded_time(source):
    bound = min(CEILING, PER_CHARACTER * len(source))
    timings = []
    for _ in range(ATTEMPTS):
        started = time.process_time()
        render_markdown(source)
        timings.append(time.process_time() - started)
        if timings[-1] < bound:
            return
    pytest.fail(f"{len(source):,} characters took {min(timings):.3f} s of CPU "
                f"(bound {bound:.3f} s): {timings}")


def test_a_table_beyond_the_cell_budget_is_still_shown():
    html = render_markdown(_table(100_000))

    assert html.count("<td>") + html.count("<th>") <= 4_096
    # The rows past the budget are shown as text, not silently lost.
    assert html.count("|1|") > 0
