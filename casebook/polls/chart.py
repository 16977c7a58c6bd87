"""Before/after bar charts drawn on the server as SVG geometry for
templates/polls/_chart.html: no JavaScript, and every bar carries its count
in words, so colour is never the only way to tell the phases apart."""

from dataclasses import dataclass

from casebook.polls.models import SCALE

WIDTH = 640
LABEL_WIDTH = 210  # the scale point's name, left of its bars
BAR_SPACE = 300  # the longest bar; its count label follows it
BAR_HEIGHT = 16  # the space per bar; the drawn bar leaves 2 of it as a gap
TOP = 8


@dataclass(frozen=True)
class Bar:
    phase: str  # "before" or "after": its CSS class
    y: int
    width: int
    label: str
    label_x: int


@dataclass(frozen=True)
class Row:
    name: str
    y: int  # baseline of the scale point's name
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: list[Row]
    description: str


def _counts_text(counts: list[int]) -> str:
    return ", ".join(f"{SCALE[value].lower()} {counts[value - 1]}" for value in SCALE)


def before_after(before: list[int], after: list[int] | None) -> Chart:
    """Horizontal bars per scale point, before above after, on one common scale;
    without ``after`` (the projector before the discussion), the before bars only."""
    series = [("before", before)] + ([("after", after)] if after is not None else [])
    most = max([*before, *(after or []), 1])
    row_height = len(series) * BAR_HEIGHT + 16
    rows = []
    for i, value in enumerate(SCALE):
        top = TOP + i * row_height
        bars = []
        for j, (phase, counts) in enumerate(series):
            width = round(BAR_SPACE * counts[i] / most)
            y = top + j * BAR_HEIGHT
            bars.append(Bar(phase, y, width, f"{phase.title()}: {counts[i]}",
                            LABEL_WIDTH + width + 6))
        rows.append(Row(SCALE[value], top + len(series) * BAR_HEIGHT // 2 + 4, tuple(bars)))
    description = f"Before the discussion: {_counts_text(before)}."
    if after is not None:
        description += f" After the discussion: {_counts_text(after)}."
    return Chart(WIDTH, TOP * 2 + len(SCALE) * row_height, LABEL_WIDTH, BAR_HEIGHT - 2, rows,
                 description)
