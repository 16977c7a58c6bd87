"""Cases a group writes for itself: built, validated and downloaded in the
``cases/`` file format, so the loader is the one validator for both.

A group case belongs to one group (``Case.group_id``): it is never in the
library or its search, and only that group may open or discuss it.
"""

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from casebook.cases.loader import CaseData, case_file_text, parse_case_text
from casebook.cases.models import STAGES, Case
from casebook.cases.service import apply_case_data
from casebook.db import utcnow
from casebook.groups.models import Group

SLUG_MAX = 60


def front_matter(case: Case) -> dict:
    """The case's fields as a case file's front matter (current prompts and
    positions only, with their stable ids)."""
    prompts: dict[str, list[dict]] = {}
    for prompt in case.prompts:
        if prompt.retired:
            continue
        item = {"id": prompt.key, "text": prompt.text_md}
        if prompt.lens:
            item["lens"] = prompt.lens
        prompts.setdefault(prompt.stage, []).append(item)
    front = {
        "slug": case.slug,
        "title": case.title,
        "summary": case.summary,
        "themes": case.theme_names,
        "content_note": case.content_note,
        "reading_minutes": case.reading_minutes,
        "sources": case.sources,
        "stakeholders": case.stakeholders,
        "lenses": case.lenses,
        "prompts": {stage: prompts[stage] for stage in STAGES if stage in prompts},
        "positions": [{"id": p.key, "text": p.text} for p in case.positions if not p.retired],
    }
    if case.teaching_notes is not None:
        front["teaching_notes"] = case.teaching_notes
    return front


def case_file(case: Case) -> str:
    """The case as a ``cases/`` file; the loader reads it back to the same case."""
    return case_file_text(front_matter(case), case.body_md)


def validate(front: dict, body: str) -> CaseData:
    """The loader's own validation of ``front`` and ``body`` as one case file.
    Raises CaseFileError whose problems name the front-matter location
    (``title``, ``prompts.decide[0].text``, ``positions[1].text``...)."""
    slug = front.get("slug")
    return parse_case_text(case_file_text(front, body), Path(f"{slug}.md"))


def slugify(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.casefold())
    slug = "-".join(words)[:SLUG_MAX].strip("-")
    return slug or "case"


def free_slug(session: Session, group_id: int, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``-3``... if the group already has a case by that name."""
    wanted = wanted[:SLUG_MAX]
    taken = set(session.scalars(
        select(Case.slug).where(Case.group_id == group_id, Case.slug.startswith(wanted))))
    slug, n = wanted, 1
    while slug in taken:
        n += 1
        slug = f"{wanted}-{n}"
    return slug


def _with_parts():
    return (selectinload(Case.themes), selectinload(Case.prompts),
            selectinload(Case.positions))


def group_cases(session: Session, group_id: int) -> list[Case]:
    """The group's own cases by title, themes loaded."""
    return list(session.scalars(
        select(Case).where(Case.group_id == group_id)
        .options(selectinload(Case.themes)).order_by(Case.title)))


def get_group_case(session: Session, group_id: int, slug: str) -> Case | None:
    """The group's own case with this slug; None for anyone else's, or the library's."""
    return session.scalar(
        select(Case).where(Case.group_id == group_id, Case.slug == slug).options(*_with_parts()))


def save_group_case(session: Session, group: Group, data: CaseData,
                    case: Case | None = None) -> Case:
    """Create (``case`` None) or update the group's case from validated data, and
    commit. Prompts and positions are matched by id as the importer matches
    them, so threads of existing discussions keep their prompts."""
    if case is None:
        case = Case(slug=data.slug, group_id=group.id)
        session.add(case)
    elif case.group_id != group.id:
        raise ValueError("the case belongs to another group")
    apply_case_data(case, data)
    case.updated_at = utcnow()
    session.commit()
    return case


def copy_to_group(session: Session, library_case: Case, group: Group) -> Case:
    """An editable copy of a library case, same text, prompts and positions,
    owned by ``group``; its slug is the library's unless the group has that one."""
    front = front_matter(library_case)
    front["slug"] = free_slug(session, group.id, library_case.slug)
    return save_group_case(session, group, validate(front, library_case.body_md))
