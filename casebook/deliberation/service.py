"""Lens and stakeholder tags on posts, coverage, and stakeholder roles.

Tags are keys from the case's front matter: a lens key (``rights``) or a
stakeholder key (``stakeholder_key`` of its name). They are written with the
post or edit they belong to, in the same flush, so the thread's version (and
with it the cached post list) moves on with them. Nothing here commits except
the role assignments.
"""

import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, joinedload

from casebook.accounts.models import User
from casebook.cases.models import LENSES, Case
from casebook.db import utcnow
from casebook.deliberation.models import (
    KEY_LENGTH,
    LENS,
    ROLE,
    STAKEHOLDER,
    PostTag,
    StakeholderRole,
)
from casebook.discussion.models import (
    POSTS_PER_PAGE,
    PUBLISHED,
    REMOVED,
    Discussion,
    Post,
    Thread,
)
from casebook.discussion.reading import members_by_user, visible_to
from casebook.groups.models import ACTIVE, PARTICIPANT, Membership

# The stage whose prompts participants answer in their assigned role.
ROLE_STAGE = "stakeholders"


def stakeholder_key(name: str) -> str:
    """The stable key of a stakeholder, from its name: the case file gives none.

    Renaming a stakeholder in the case file changes its key, so tags made
    under the old name then show the key instead of a name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:KEY_LENGTH] or "stakeholder"


@dataclass(frozen=True)
class Stakeholder:
    key: str
    name: str
    interest: str


def stakeholders(case: Case) -> list[Stakeholder]:
    """The case's stakeholders in file order; a repeated name counts once."""
    found: dict[str, Stakeholder] = {}
    for item in case.stakeholders or []:
        key = stakeholder_key(item["name"])
        found.setdefault(key, Stakeholder(key, item["name"], item.get("interest", "")))
    return list(found.values())


def lenses(case: Case) -> list[tuple[str, str]]:
    """The case's lenses as (key, human label), in file order."""
    return [(key, LENSES.get(key, key)) for key in dict.fromkeys(case.lenses or [])]


@dataclass(frozen=True)
class Tag:
    kind: str
    key: str
    label: str

    @property
    def param(self) -> str:
        """The value of the thread page's ``tag`` argument that lists posts with this tag."""
        return f"{self.kind}:{self.key}"


def label_of(case: Case, kind: str, key: str) -> str:
    if kind == LENS:
        return dict(lenses(case)).get(key) or LENSES.get(key, key)
    names = {s.key: s.name for s in stakeholders(case)}
    return names.get(key, key)


def parse_filter(case: Case, raw: str | None) -> Tag | None:
    """The tag a ``?tag=kind:key`` argument names, or None for anything this case lacks."""
    if not raw or not isinstance(raw, str):
        return None
    kind, _, key = raw.partition(":")
    if kind == LENS and key in dict(lenses(case)):
        return Tag(kind, key, label_of(case, kind, key))
    if kind in (STAKEHOLDER, ROLE) and key in {s.key for s in stakeholders(case)}:
        return Tag(kind, key, label_of(case, kind, key))
    return None


def filters(case: Case) -> list[Tag]:
    """Every tag a thread of ``case`` can be filtered by, lenses first."""
    return ([Tag(LENS, k, label) for k, label in lenses(case)]
            + [Tag(STAKEHOLDER, s.key, s.name) for s in stakeholders(case)])


# Writing tags -------------------------------------------------------------------

def new_post_tags(case: Case, lens_keys: Iterable[str], stakeholder_keys: Iterable[str],
                  role: Stakeholder | None = None) -> list[tuple[str, str]]:
    """The (kind, key) rows for a new post; keys not in ``case`` are dropped
    (the form has already refused them with a message)."""
    known_lenses = dict(lenses(case))
    known_stakeholders = {s.key for s in stakeholders(case)}
    rows = [(LENS, k) for k in dict.fromkeys(lens_keys) if k in known_lenses]
    rows += [(STAKEHOLDER, k) for k in dict.fromkeys(stakeholder_keys)
             if k in known_stakeholders]
    if role is not None:
        rows.append((ROLE, role.key))
    return rows


def add_tags(session: Session, post: Post, rows: Sequence[tuple[str, str]]) -> None:
    """Store ``rows`` on a post being written (it may have no id yet)."""
    for kind, key in rows:
        session.add(PostTag(post=post, kind=kind, key=key))


def _author_rows(session: Session, post: Post) -> list[PostTag]:
    return list(session.scalars(select(PostTag).where(
        PostTag.post_id == post.id, PostTag.kind.in_((LENS, STAKEHOLDER)))))


def author_tags(session: Session, post: Post) -> tuple[list[str], list[str]]:
    """The lens keys and stakeholder keys the author chose for ``post``."""
    rows = _author_rows(session, post)
    return ([r.key for r in rows if r.kind == LENS],
            [r.key for r in rows if r.kind == STAKEHOLDER])


def replace_author_tags(session: Session, post: Post,
                        rows: Sequence[tuple[str, str]]) -> bool:
    """Make the author's tags of ``post`` exactly ``rows`` (the role stays as
    written); True when anything changed. Does not commit.

    Rows are added and deleted as ORM objects so the flush that writes them
    raises the thread's version (``casebook.fragments``)."""
    current = {(r.kind, r.key): r for r in _author_rows(session, post)}
    wanted = {(kind, key) for kind, key in rows if kind in (LENS, STAKEHOLDER)}
    if wanted == set(current):
        return False
    for pair in set(current) - wanted:
        session.delete(current[pair])
    add_tags(session, post, sorted(wanted - set(current)))
    return True


# Reading tags ---------------------------------------------------------------------

@dataclass
class PostTags:
    tags: list[Tag] = field(default_factory=list)
    speaking_as: str | None = None


def tags_by_post(session: Session, case: Case, post_ids: Iterable[int]) -> dict[int, PostTags]:
    """Each post's tags with their labels, in one query whatever the number of posts."""
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    labels = {(LENS, k): v for k, v in lenses(case)}
    for s in stakeholders(case):
        labels[(STAKEHOLDER, s.key)] = labels[(ROLE, s.key)] = s.name
    found: dict[int, PostTags] = {}
    rows = session.execute(select(PostTag.post_id, PostTag.kind, PostTag.key)
                           .where(PostTag.post_id.in_(ids))
                           .order_by(PostTag.post_id, PostTag.kind, PostTag.key))
    order = {LENS: 0, STAKEHOLDER: 1}
    for post_id, kind, key in rows:
        entry = found.setdefault(post_id, PostTags())
        label = labels.get((kind, key), key)
        if kind == ROLE:
            entry.speaking_as = label
        else:
            entry.tags.append(Tag(kind, key, label))
    for entry in found.values():
        entry.tags.sort(key=lambda t: order[t.kind])
    return found


@dataclass
class TaggedPage:
    posts: list[Post]
    page: int
    pages: int
    total: int
    members: dict[int, Membership] = field(default_factory=dict)


def tagged_page(session: Session, thread: Thread, viewer: User, tag: Tag, *, page: int,
                sees_everything: bool, now: datetime | None = None) -> TaggedPage:
    """The thread's posts carrying ``tag`` that ``viewer`` may see
    (``reading.visible_to``: post-first and held posts hold), oldest first,
    ``POSTS_PER_PAGE`` a page, in three queries."""
    now = now or utcnow()
    tagged = exists().where(PostTag.post_id == Post.id, PostTag.kind == tag.kind,
                            PostTag.key == tag.key)
    conditions = [Post.thread_id == thread.id, Post.status != REMOVED, tagged,
                  visible_to(viewer, sees_everything=sees_everything, now=now)]
    base = (select(Post).join(Thread, Post.thread_id == Thread.id)
            .join(Discussion, Thread.discussion_id == Discussion.id).where(*conditions))
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    pages = max(1, math.ceil(total / POSTS_PER_PAGE))
    page = min(max(page, 1), pages)
    posts = list(session.scalars(
        base.options(joinedload(Post.author), joinedload(Post.reply_to).joinedload(Post.author))
        .order_by(Post.number.is_(None), Post.number, Post.id)
        .offset((page - 1) * POSTS_PER_PAGE).limit(POSTS_PER_PAGE)
    ))
    author_ids = {p.author_id for p in posts}
    author_ids |= {p.reply_to.author_id for p in posts if p.reply_to}
    members = members_by_user(session, thread.discussion.group_id, author_ids)
    return TaggedPage(posts=posts, page=page, pages=pages, total=total, members=members)


# Coverage -------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverageItem:
    key: str
    label: str
    posts: int
    holders: int = 0  # for roles: participants given this stakeholder


@dataclass
class Coverage:
    lenses: list[CoverageItem]
    stakeholders: list[CoverageItem]
    roles: list[CoverageItem]  # only stakeholders someone was given

    @property
    def untouched_lenses(self) -> list[str]:
        return [i.label for i in self.lenses if not i.posts]

    @property
    def untouched_stakeholders(self) -> list[str]:
        return [i.label for i in self.stakeholders if not i.posts]

    @property
    def unvoiced_roles(self) -> list[str]:
        return [i.label for i in self.roles if not i.posts]


def coverage(session: Session, discussion: Discussion) -> Coverage:
    """Published posts of ``discussion`` per lens, per stakeholder and per role
    voiced, in two queries. A role counts as voiced by a post written in the
    stakeholders stage while its author held it (the post's role tag)."""
    case = discussion.case
    counts = {(kind, key): n for kind, key, n in session.execute(
        select(PostTag.kind, PostTag.key, func.count())
        .join(Post, PostTag.post_id == Post.id)
        .join(Thread, Post.thread_id == Thread.id)
        .where(Thread.discussion_id == discussion.id, Post.status == PUBLISHED)
        .group_by(PostTag.kind, PostTag.key)
    )}
    holders = dict(session.execute(
        select(StakeholderRole.stakeholder, func.count())
        .join(Membership, StakeholderRole.membership_id == Membership.id)
        # A participant since promoted keeps the row but no longer holds the role.
        .where(StakeholderRole.discussion_id == discussion.id, Membership.status == ACTIVE,
               Membership.role == PARTICIPANT)
        .group_by(StakeholderRole.stakeholder)
    ).all())
    people = stakeholders(case)
    return Coverage(
        lenses=[CoverageItem(k, label, counts.get((LENS, k), 0)) for k, label in lenses(case)],
        stakeholders=[CoverageItem(s.key, s.name, counts.get((STAKEHOLDER, s.key), 0))
                      for s in people],
        roles=[CoverageItem(s.key, s.name, counts.get((ROLE, s.key), 0), holders[s.key])
               for s in people if holders.get(s.key)],
    )


# Stakeholder roles ----------------------------------------------------------------

def role_of(session: Session, discussion: Discussion,
            membership: Membership | None) -> Stakeholder | None:
    """The stakeholder ``membership`` argues from here; None for anyone without one
    (facilitators and moderators never have one)."""
    if membership is None:
        return None
    return role_named(discussion, membership, session.scalar(
        select(role_key_column(discussion.id, membership.id))))


def role_key_column(discussion_id: int | ColumnElement,
                    membership_id: int | ColumnElement) -> ColumnElement:
    """The key of the stakeholder assigned to the membership in the discussion, as a
    scalar subquery, for a page that folds it into its own query (``role_named``)."""
    return (select(StakeholderRole.stakeholder)
            .where(StakeholderRole.discussion_id == discussion_id,
                   StakeholderRole.membership_id == membership_id)
            .scalar_subquery())


def role_named(discussion: Discussion, membership: Membership | None,
               key: str | None) -> Stakeholder | None:
    """``role_of`` from the assigned key (``role_key_column``) read with the page."""
    if membership is None or membership.role != PARTICIPANT or not membership.is_active:
        return None
    return next((s for s in stakeholders(discussion.case) if s.key == key), None)


def speaks_in_role(thread: Thread) -> bool:
    """Whether posts in ``thread`` are written in the author's assigned role."""
    return thread.prompt_id is not None and thread.prompt.stage == ROLE_STAGE


def participants(session: Session, discussion: Discussion) -> list[Membership]:
    """The active participants of the discussion's group, in joining order:
    the people who may be given a role."""
    return list(session.scalars(
        select(Membership).options(joinedload(Membership.user))
        .where(Membership.group_id == discussion.group_id, Membership.status == ACTIVE,
               Membership.role == PARTICIPANT)
        .order_by(Membership.joined_at, Membership.id)
    ))


def roles(session: Session, discussion: Discussion) -> dict[int, str]:
    """Stakeholder keys by membership id."""
    return dict(session.execute(
        select(StakeholderRole.membership_id, StakeholderRole.stakeholder)
        .where(StakeholderRole.discussion_id == discussion.id)).all())


def assign_roles(session: Session, discussion: Discussion, chosen: dict[int, str | None]) -> None:
    """Set each listed participant's role (None removes it) and commit.

    Membership ids that are not active participants of the group, and keys
    that are not the case's stakeholders, raise ValueError."""
    allowed = {m.id for m in participants(session, discussion)}
    keys = {s.key for s in stakeholders(discussion.case)}
    if set(chosen) - allowed or {k for k in chosen.values() if k} - keys:
        raise ValueError("Choose a stakeholder of this case for a participant of this group.")
    current = {r.membership_id: r for r in session.scalars(
        select(StakeholderRole).where(StakeholderRole.discussion_id == discussion.id))}
    for membership_id, key in chosen.items():
        row = current.get(membership_id)
        if not key:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(StakeholderRole(discussion_id=discussion.id,
                                        membership_id=membership_id, stakeholder=key))
        else:
            row.stakeholder = key
    session.commit()


def assign_at_random(session: Session, discussion: Discussion,
                     rng: random.Random | None = None) -> dict[int, str]:
    """Give every participant a stakeholder, balanced: participants in a random
    order take the stakeholders in turn (themselves shuffled), so no stakeholder
    has two more holders than another. Replaces earlier roles; commits."""
    rng = rng or random.SystemRandom()
    people = participants(session, discussion)
    keys = [s.key for s in stakeholders(discussion.case)]
    if not keys:
        return {}
    rng.shuffle(people)
    rng.shuffle(keys)
    chosen = {m.id: keys[i % len(keys)] for i, m in enumerate(people)}
    assign_roles(session, discussion, chosen)
    return chosen
