"""The poll in downloads: per statement, the before and after counts and how
the people who answered both moved. Counts only: no file names anyone or
carries a reason, whatever the discussion's identity mode."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from casebook.discussion.models import Discussion
from casebook.polls import service
from casebook.polls.models import AFTER, BEFORE, SCALE


@dataclass(frozen=True)
class Summary:
    statement: str
    before: list[int]
    after: list[int]
    shift: service.Shift


def summaries(session: Session, discussion: Discussion) -> list[Summary]:
    """One per polled statement; empty when the case has none or nobody answered."""
    before = service.distribution(session, discussion, BEFORE)
    after = service.distribution(session, discussion, AFTER)
    if not any(sum(c) for c in (*before.values(), *after.values())):
        return []
    moved = service.shifts(session, discussion)
    return [Summary(p.text, before[p.id], after[p.id], moved[p.id])
            for p in service.positions(session, discussion)]


def markdown_lines(session: Session, discussion: Discussion) -> list[str]:
    """The transcript's poll section (no lines when nobody answered)."""
    found = summaries(session, discussion)
    if not found:
        return []
    lines = ["## Poll: where people stood before and after", ""]
    for summary in found:
        lines += [f"### {' '.join(summary.statement.split())}", "",
                  "| Answer | Before | After |", "| --- | ---: | ---: |"]
        lines += [f"| {label} | {summary.before[v - 1]} | {summary.after[v - 1]} |"
                  for v, label in SCALE.items()]
        s = summary.shift
        lines += ["", f"Of {s.answered_both} who answered both: {s.toward_agree} moved toward "
                      f"agree, {s.toward_disagree} toward disagree, {s.unchanged} unchanged.", ""]
    return lines


POLL_COLUMNS = ["statement", "phase", *(label.lower() for label in SCALE.values()), "answers",
                "answered_both", "moved_toward_agree", "moved_toward_disagree", "unchanged"]


def csv_rows(session: Session, discussion: Discussion) -> list[list]:
    """Two rows per statement (before, after); the shift columns on the after row."""
    rows: list[list] = [POLL_COLUMNS]
    for summary in summaries(session, discussion):
        s = summary.shift
        rows.append([summary.statement, BEFORE, *summary.before, sum(summary.before),
                     "", "", "", ""])
        rows.append([summary.statement, AFTER, *summary.after, sum(summary.after),
                     s.answered_both, s.toward_agree, s.toward_disagree, s.unchanged])
    return rows
