"""Finding posts by their words, within exactly what the viewer may see.

Callers may rely on: only published posts are found (never held, rejected,
hidden or removed ones), only in the groups given, and only where
``discussion.reading.visible_to`` (``policy.may_see_post`` as SQL: post first,
released stages, discussions not yet open) lets the viewer see them. Every
page costs the same few queries, however many posts match.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.discussion.models import PUBLISHED, Discussion, Post, Thread
from casebook.discussion.reading import visible_to
from casebook.groups.models import Membership
from casebook.search.index import matching

RESULTS_PER_PAGE = 20


@dataclass
class PostResults:
    posts: list[Post]
    page: int
    pages: int
    total: int
    # The authors' memberships, by (group id, user id), for how they are named.
    members: dict[tuple[int, int], Membership] = field(default_factory=dict)


def search_posts(session: Session, viewer: User, group_ids, wanted: list[str], *,
                 sees_everything_in=frozenset(), page: int = 1,
                 now: datetime | None = None) -> PostResults:
    """Published posts of the groups ``group_ids`` holding every word of
    ``wanted`` (``search.text.terms``) that ``viewer`` may see, newest first.

    ``group_ids`` are groups the viewer may view (their active memberships);
    ``sees_everything_in`` names those where ``policy.sees_everything`` holds.
    """
    group_ids = set(group_ids)
    if not viewer.is_authenticated or not group_ids or not wanted:
        return PostResults(posts=[], page=1, pages=1, total=0)
    everything = set(sees_everything_in) & group_ids
    # As for unread counts, the rule depends on the viewer's role in each group.
    visible = or_(Discussion.group_id.in_(everything),
                  visible_to(viewer, sees_everything=False, now=now or utcnow()))
    base = (
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .join(Discussion, Thread.discussion_id == Discussion.id)
        .where(Discussion.group_id.in_(group_ids), Post.status == PUBLISHED,
               matching(session.get_bind().dialect.name, Post, wanted), visible)
    )
    total = session.scalar(base.with_only_columns(func.count(Post.id)))
    pages = max(1, math.ceil(total / RESULTS_PER_PAGE))
    page = min(max(page, 1), pages)
    posts = list(session.scalars(
        base.options(joinedload(Post.author),
                     joinedload(Post.thread).joinedload(Thread.discussion))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .offset((page - 1) * RESULTS_PER_PAGE).limit(RESULTS_PER_PAGE)
    ))
    return PostResults(posts=posts, page=page, pages=pages, total=total,
                       members=_authors(session, posts))


def _authors(session: Session, posts: list[Post]) -> dict[tuple[int, int], Membership]:
    group_ids = {p.thread.discussion.group_id for p in posts}
    user_ids = {p.author_id for p in posts if p.author_id is not None}
    if not user_ids:
        return {}
    return {(m.group_id, m.user_id): m for m in session.scalars(
        select(Membership).where(Membership.group_id.in_(group_ids),
                                 Membership.user_id.in_(user_ids)))}
