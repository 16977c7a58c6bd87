"""Importing cases into the library and finding them again."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from casebook.cases.loader import CaseData
from casebook.cases.models import Case, CaseTheme, Position, Prompt
from casebook.db import utcnow
from casebook.markdown import render_inline, render_markdown
from casebook.search.index import matching
from casebook.search.text import plain_text, terms, words

# Cases in the public library; a group's own cases are private to it.
LIBRARY = Case.group_id.is_(None)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # In the library but not in the folder: kept, because groups may be
    # discussing them; the operator decides.
    not_in_folder: list[str] = field(default_factory=list)


def import_cases(session: Session, cases: list[CaseData]) -> ImportReport:
    """Upsert every case by slug in one transaction (all or nothing).

    Prompts and positions are matched by their stable ids: text changes in
    place, new ones are added, and ones no longer in the file are retired
    rather than deleted so discussions keep their links.
    """
    report = ImportReport()
    existing = {
        case.slug: case
        for case in session.scalars(
            select(Case).where(LIBRARY).options(
                selectinload(Case.themes), selectinload(Case.prompts),
                selectinload(Case.positions),
            )
        )
    }
    try:
        for data in cases:
            case = existing.get(data.slug)
            if case is None:
                case = Case(slug=data.slug)
                session.add(case)
                apply_case_data(case, data)
                report.created.append(data.slug)
            elif case.source_digest == data.digest:
                report.unchanged.append(data.slug)
            else:
                apply_case_data(case, data)
                case.updated_at = utcnow()
                report.updated.append(data.slug)
        incoming = {data.slug for data in cases}
        report.not_in_folder = sorted(slug for slug in existing if slug not in incoming)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return report


def apply_case_data(case: Case, data: CaseData) -> None:
    """Set every field of ``case`` from validated ``data``; prompts and positions
    by stable id (new ones added, missing ones retired, never deleted)."""
    case.title = data.title
    case.summary = data.summary
    case.content_note = data.content_note
    case.reading_minutes = data.reading_minutes
    case.sources = data.sources
    case.stakeholders = data.stakeholders
    case.lenses = data.lenses
    case.body_md = data.body
    case.body_html = render_markdown(data.body)
    case.search_text = _search_text(case, data)
    case.source_digest = data.digest
    case.teaching_notes = data.teaching_notes

    current_themes = {t.theme: t for t in case.themes}
    case.themes = [current_themes.get(name) or CaseTheme(theme=name) for name in data.themes]

    prompts = {p.key: p for p in case.prompts}
    for order, item in enumerate(data.prompts):
        prompt = prompts.pop(item.key, None)
        if prompt is None:
            prompt = Prompt(key=item.key)
            case.prompts.append(prompt)
        prompt.stage = item.stage
        prompt.position = order
        prompt.lens = item.lens
        prompt.text_md = item.text
        prompt.text_html = render_inline(item.text)
        prompt.retired = False
    for prompt in prompts.values():
        prompt.retired = True

    positions = {p.key: p for p in case.positions}
    for order, item in enumerate(data.positions):
        position = positions.pop(item.key, None)
        if position is None:
            position = Position(key=item.key)
            case.positions.append(position)
        position.position = order
        position.text = item.text
        position.retired = False
    for position in positions.values():
        position.retired = True


def _search_text(case: Case, data: CaseData) -> str:
    return words(" ".join([data.title, data.summary, " ".join(data.themes),
                           plain_text(case.body_html)]))


def cases_for_group(session: Session, group_id: int) -> list[Case]:
    """What a group can discuss: the library's cases, then its own, each by title."""
    return list(session.scalars(
        select(Case).where(LIBRARY | (Case.group_id == group_id))
        .order_by(Case.group_id.is_not(None), Case.title)))


def list_cases(
    session: Session, *, theme: str | None = None, query: str | None = None
) -> list[Case]:
    """Library cases by title; only those with ``theme`` and every word of ``query``
    when given (whole words, through the full-text index posts use too)."""
    stmt = select(Case).where(LIBRARY).options(selectinload(Case.themes)).order_by(Case.title)
    if theme:
        stmt = stmt.where(Case.themes.any(CaseTheme.theme == theme))
    if wanted := terms(query or ""):
        stmt = stmt.where(matching(session.get_bind().dialect.name, Case, wanted))
    return list(session.scalars(stmt))


def all_themes(session: Session) -> list[str]:
    return list(session.scalars(
        select(CaseTheme.theme).join(Case).where(LIBRARY).distinct().order_by(CaseTheme.theme)))


def get_case(session: Session, slug: str) -> Case | None:
    """The library case with this slug (never a group's own case)."""
    return session.scalar(
        select(Case)
        .where(Case.slug == slug, LIBRARY)
        .options(selectinload(Case.themes), selectinload(Case.prompts),
                 selectinload(Case.positions))
    )


def case_stamp(session: Session, slug: str) -> tuple[str, datetime] | None:
    """What a case page's bytes depend on, without loading the case:
    ``(source_digest, updated_at)``, or None when there is no such case."""
    row = session.execute(
        select(Case.source_digest, Case.updated_at).where(Case.slug == slug, LIBRARY)).first()
    return None if row is None else (row[0], row[1])


# The case's body is sanitised HTML rendered at import; its sections are <h2>s.
_KEY_FACTS_RE = re.compile(r"<h2[^>]*>\s*Key facts\s*</h2>(.*?)(?=<h2[\s>]|\Z)",
                           re.IGNORECASE | re.DOTALL)


def key_facts_html(case: Case) -> str:
    """The "Key facts" section of the case's rendered body (without its heading),
    or "" when the case has none. Cut from already sanitised HTML, so it is safe
    to show as it is."""
    match = _KEY_FACTS_RE.search(case.body_html or "")
    return match.group(1).strip() if match else ""
