"""Who took part in a discussion: the figures a facilitator assesses participation by.

The page and the CSV both come from ``participation``, so they always carry
the same columns and numbers. It costs four queries however many members or
posts there are: the group's memberships, one aggregate over the
discussion's posts, one over its replies, and the number of prompts.

What counts: published posts (their words, the prompts they answer, the
replies they give and receive); hidden posts are counted apart. Posts
awaiting approval, rejected or removed by their author are not counted. A
reply to one's own post is neither given nor received.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased, joinedload

from casebook.db import utcnow
from casebook.discussion.models import HIDDEN, PUBLISHED, Discussion, Post, Thread
from casebook.discussion.reading import released_stage
from casebook.groups.models import ACTIVE, Group, Membership

# (key for ?sort=, column heading); the page's headers and the CSV's first row.
COLUMNS = [
    ("member", "Member"),
    ("pseudonym", "Pseudonym"),
    ("role", "Role"),
    ("posts", "Posts"),
    ("hidden", "Hidden"),
    ("words", "Words"),
    ("prompts", "Prompts answered"),
    ("replies_given", "Replies given"),
    ("replies_received", "Replies received"),
    ("first", "First activity"),
    ("last", "Last activity"),
]
SORT_KEYS = {key for key, _heading in COLUMNS}
DEFAULT_SORT = "member"
# Text sorts A to Z first; numbers and dates show the most active first.
TEXT_COLUMNS = {"member", "pseudonym", "role"}


@dataclass
class Row:
    member: str  # real name, "Deleted member" for posts whose author deleted it
    pseudonym: str
    pseudonym_number: int | None
    role: str
    former: bool = False
    posts: int = 0
    hidden: int = 0
    words: int = 0
    prompts: int = 0
    replies_given: int = 0
    replies_received: int = 0
    first: datetime | None = None
    last: datetime | None = None

    @property
    def has_posted(self) -> bool:
        return self.posts + self.hidden > 0


@dataclass
class Participation:
    rows: list[Row]
    prompts_total: int

    @property
    def not_posted(self) -> int:
        return sum(1 for row in self.rows if not row.has_posted)


def _post_figures(session: Session, discussion: Discussion):
    """Per author: published posts, hidden posts, words, prompts answered, first and last."""
    published = Post.status == PUBLISHED
    return session.execute(
        select(
            Post.author_id,
            func.count(case((published, 1))),
            func.count(case((Post.status == HIDDEN, 1))),
            func.coalesce(func.sum(case((published, Post.word_count), else_=0)), 0),
            func.count(func.distinct(case(
                (published & Thread.prompt_id.is_not(None), Post.thread_id)))),
            func.min(Post.created_at),
            func.max(Post.created_at),
        )
        .join(Thread, Post.thread_id == Thread.id)
        .where(Thread.discussion_id == discussion.id, Post.status.in_((PUBLISHED, HIDDEN)))
        .group_by(Post.author_id)
    ).all()


def _reply_pairs(session: Session, discussion: Discussion):
    """(replier, replied-to author, count) for published replies to someone else."""
    target = aliased(Post)
    return session.execute(
        select(Post.author_id, target.author_id, func.count())
        .join(target, Post.reply_to_id == target.id)
        .join(Thread, Post.thread_id == Thread.id)
        .where(Thread.discussion_id == discussion.id, Post.status == PUBLISHED,
               Post.author_id.is_distinct_from(target.author_id))
        .group_by(Post.author_id, target.author_id)
    ).all()


def participation(session: Session, group: Group, discussion: Discussion) -> Participation:
    """One row per active member, and per former member (or deleted account) who posted."""
    memberships = session.scalars(
        select(Membership).where(Membership.group_id == group.id)
        .options(joinedload(Membership.user))
    ).all()
    figures = {row[0]: row[1:] for row in _post_figures(session, discussion)}
    given: dict[int | None, int] = defaultdict(int)
    received: dict[int | None, int] = defaultdict(int)
    for replier, replied_to, count in _reply_pairs(session, discussion):
        given[replier] += count
        received[replied_to] += count
    # Out of the prompts open so far: nobody can answer a stage still to come.
    total = (select(func.count()).select_from(Thread)
             .where(Thread.discussion_id == discussion.id, Thread.prompt_id.is_not(None)))
    if discussion.staged:
        total = total.where(released_stage(utcnow()))
    prompts_total = session.scalar(total) or 0

    rows: dict[int | None, Row] = {}
    for membership in memberships:
        current = membership.status == ACTIVE
        if current or membership.user_id in figures:
            rows[membership.user_id] = Row(
                member=membership.user.display_name, pseudonym=membership.pseudonym,
                pseudonym_number=membership.pseudonym_number,
                role=membership.role_title, former=not current)
    if None in figures:
        rows[None] = Row(member="Deleted member", pseudonym="", pseudonym_number=None,
                         role="", former=True)
    for user_id, row in rows.items():
        posts, hidden, words, prompts, first, last = figures.get(
            user_id, (0, 0, 0, 0, None, None))
        row.posts, row.hidden, row.words, row.prompts = posts, hidden, int(words), prompts
        row.first, row.last = first, last
        row.replies_given, row.replies_received = given[user_id], received[user_id]
    return Participation(rows=list(rows.values()), prompts_total=prompts_total)


def headings(prompts_total: int) -> list[tuple[str, str]]:
    """The columns with their headings; "Prompts answered" says out of how many."""
    return [(key, f"{heading} (of {prompts_total})" if key == "prompts" else heading)
            for key, heading in COLUMNS]


def default_direction(key: str) -> str:
    return "asc" if key in TEXT_COLUMNS else "desc"


def sort_rows(rows: list[Row], key: str, direction: str) -> list[Row]:
    """Rows ordered by one column; members with no activity date always come last,
    and ties keep name order so the table is stable."""
    if key not in SORT_KEYS:
        key = DEFAULT_SORT
    by_name = sorted(rows, key=lambda r: (r.member.casefold(), r.pseudonym_number or 0))

    def value(row: Row):
        if key == "pseudonym":
            return row.pseudonym_number or 0
        found = getattr(row, key)
        return found.casefold() if isinstance(found, str) else found

    dated = [r for r in by_name if value(r) is not None]
    undated = [r for r in by_name if value(r) is None]
    return sorted(dated, key=value, reverse=direction == "desc") + undated
