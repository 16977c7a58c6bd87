"""What a member sees and has not yet read, as query conditions and counts.

``visible_to`` is ``policy.may_see_post`` written as SQL, so lists of posts
(activity, unread counts, stages) hold the same rule as the pages that show
one post; a test checks the two agree. Counts are summed per thread from its
highest post number, so they cost what the threads cost, not the posts.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased, joinedload

from casebook.accounts.models import User
from casebook.cases.models import Prompt
from casebook.db import utcnow
from casebook.discussion.models import (
    HIDDEN,
    PENDING,
    POSTS_PER_PAGE,
    PUBLISHED,
    REJECTED,
    REMOVED,
    STAGED,
    Discussion,
    DiscussionStage,
    Post,
    Thread,
    ThreadRead,
)
from casebook.groups.models import Group, Membership


def _unread_count(user: User, visible: ColumnElement[bool]):
    """Sum of unread posts for ``user`` over the threads the caller selects:
    published, past the number they have read in the thread, not their own,
    in a thread where ``visible`` (a ``thread_visible_to`` condition) holds.

    Bounded by threads, not posts: every number from 1 to ``Thread.last_number``
    belongs to one post (numbers are given on publishing and never taken back),
    so a thread's unread count is ``last_number - read`` less the posts past
    ``read`` that are no longer published or are the viewer's own, which two
    index seeks find without reading the other posts.
    The caller adds its columns, filter and grouping."""
    read = func.coalesce(ThreadRead.last_read_number, 0)

    def past_read(*conditions):
        return (select(func.count()).select_from(Post)
                .where(Post.thread_id == Thread.id, Post.number > read, *conditions)
                .correlate(Thread, ThreadRead).scalar_subquery())

    unread = (Thread.last_number - read
              - past_read(Post.status.in_((PENDING, REJECTED, HIDDEN, REMOVED)))
              - past_read(Post.author_id == user.id, Post.status == PUBLISHED))
    return (
        select(func.sum(unread)).select_from(Thread)
        .join(Discussion, Thread.discussion_id == Discussion.id)
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Thread.id,
                                    ThreadRead.user_id == user.id))
        .where(Thread.last_number > read, visible)
    )


def unread_by_thread(session: Session, discussion: Discussion, user: User, *,
                     sees_everything: bool, now: datetime | None = None) -> dict[int, int]:
    """Unread posts per thread of ``discussion`` in one query; threads with
    none are left out. ``sees_everything`` is ``policy.sees_everything``."""
    if not user.is_authenticated:
        return {}
    visible = thread_visible_to(user, sees_everything=sees_everything, now=now or utcnow())
    rows = session.execute(
        _unread_count(user, visible).add_columns(Thread.id)
        .where(Thread.discussion_id == discussion.id).group_by(Thread.id)
    )
    return {thread_id: count for count, thread_id in rows if count}


def unread_by_discussion(session: Session, user: User, group_ids, *,
                         sees_everything_in=frozenset(),
                         now: datetime | None = None) -> dict[int, int]:
    """Unread posts per discussion of the groups ``group_ids`` in one query;
    discussions with none are left out. ``sees_everything_in`` names the
    groups where ``policy.sees_everything`` holds for ``user``."""
    group_ids = set(group_ids)
    if not user.is_authenticated or not group_ids:
        return {}
    everything = set(sees_everything_in) & group_ids
    # The visibility rule depends on the viewer's role in each group.
    visible = or_(Discussion.group_id.in_(everything),
                  thread_visible_to(user, sees_everything=False, now=now or utcnow()))
    rows = session.execute(
        _unread_count(user, visible).add_columns(Discussion.id)
        .where(Discussion.group_id.in_(group_ids)).group_by(Discussion.id)
    )
    return {discussion_id: count for count, discussion_id in rows if count}


def members_by_user(session: Session, group_id: int, user_ids) -> dict[int, Membership]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return {m.user_id: m for m in session.scalars(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id.in_(ids))
    )}


@dataclass
class ActivityPage:
    posts: list[Post]
    page: int
    pages: int
    total: int
    members: dict[int, Membership] = field(default_factory=dict)


# Built once: making an alias (and adapting its columns) on every call cost
# the activity page more than running its queries. Each is used once per query.
_STAGE_PROMPT = aliased(Prompt)
_POST_FIRST_PROMPT = aliased(Prompt)
_OWN_POST = aliased(Post)


def released_stage(now: datetime) -> ColumnElement[bool]:
    """The thread's prompt belongs to an open stage of its discussion (Thread in the query)."""
    prompt = _STAGE_PROMPT
    return (
        select(DiscussionStage.stage)
        .join(prompt, prompt.stage == DiscussionStage.stage)
        .where(prompt.id == Thread.prompt_id,
               DiscussionStage.discussion_id == Thread.discussion_id,
               or_(DiscussionStage.opened_at.is_not(None), DiscussionStage.opens_at <= now))
        .exists()
    )


def released(now: datetime) -> ColumnElement[bool]:
    """``policy.thread_is_released`` as a query condition; Thread and Discussion joined."""
    return or_(Discussion.release != STAGED, Thread.prompt_id.is_(None), released_stage(now))


def visible_to(viewer: User, *, sees_everything: bool, now: datetime) -> ColumnElement[bool]:
    """``policy.may_see_post`` as a query condition, for lists of posts.

    The query must join Post to Thread and Discussion; the group is the
    caller's condition. ``sees_everything`` is ``policy.sees_everything``.
    A test checks this and the policy agree on every kind of post and viewer.
    """
    if sees_everything:
        return true()
    if not viewer.is_authenticated:
        return false()
    opened, peers_seen = _opened_and_peers_seen(viewer, now)
    return and_(opened, or_(
        Post.author_id == viewer.id,
        and_(Post.status.not_in((PENDING, REJECTED)), peers_seen),
    ))


def _opened_and_peers_seen(viewer: User, now: datetime):
    opened = or_(Discussion.opens_at.is_(None), Discussion.opens_at <= now)
    own = _OWN_POST
    answered = exists().where(
        own.thread_id == Thread.id, own.author_id == viewer.id,
        own.status.in_((PUBLISHED, PENDING, HIDDEN)),
    )
    prompt = _POST_FIRST_PROMPT
    other_stage = and_(Discussion.post_first_stage.is_not(None), ~exists().where(
        prompt.id == Thread.prompt_id, prompt.stage == Discussion.post_first_stage))
    peers_seen = or_(Discussion.post_first.is_(False), Thread.prompt_id.is_(None), other_stage,
                     answered)
    # A thread of a stage not yet released is as closed as a discussion not yet open.
    return and_(opened, released(now)), peers_seen


def thread_visible_to(viewer: User, *, sees_everything: bool,
                      now: datetime) -> ColumnElement[bool]:
    """Where ``viewer`` sees others' published posts (``visible_to`` for a
    published post not their own), as a condition on Thread and Discussion."""
    if sees_everything:
        return true()
    if not viewer.is_authenticated:
        return false()
    return and_(*_opened_and_peers_seen(viewer, now))


def _numbered_after(after, *conditions):
    """Posts of the row's thread numbered past ``after``, found by index seeks."""
    return (select(func.count()).select_from(Post)
            .where(Post.thread_id == Thread.id, Post.number > after, *conditions)
            .correlate(Thread).scalar_subquery())


def published_in_thread():
    """The row's thread's published posts: its numbers (``last_number``, see
    ``_unread_count``) less the numbered posts no longer published, so counting
    costs index seeks for those few rather than a read of every post."""
    return Thread.last_number - _numbered_after(
        0, Post.status.in_((PENDING, REJECTED, HIDDEN, REMOVED)))


def _activity_total(session: Session, group: Group, viewer: User, *,
                    sees_everything: bool, now: datetime) -> int:
    """How many published posts of ``group`` the activity page lists
    (``visible_to``), summed per thread so the cost follows threads, not posts.

    A thread's published posts are ``published_in_thread``; where the viewer
    does not see peers (post-first, not answered) only their own count.
    """
    if not sees_everything and not viewer.is_authenticated:
        return 0
    published = published_in_thread()
    per_thread = published
    conditions = [Discussion.group_id == group.id]
    if not sees_everything:
        opened, peers_seen = _opened_and_peers_seen(viewer, now)
        own = _numbered_after(0, Post.author_id == viewer.id, Post.status == PUBLISHED)
        per_thread = case((peers_seen, published), else_=own)
        conditions.append(opened)
    return session.scalar(
        select(func.coalesce(func.sum(per_thread), 0)).select_from(Thread)
        .join(Discussion, Thread.discussion_id == Discussion.id).where(*conditions)
    )


def activity(session: Session, group: Group, viewer: User, *, page: int,
             sees_everything: bool, now: datetime | None = None) -> ActivityPage:
    """Recent published posts across the group's discussions that ``viewer``
    may see (``visible_to``), newest first, in a fixed number of queries."""
    now = now or utcnow()
    conditions = [Discussion.group_id == group.id, Post.status == PUBLISHED,
                  visible_to(viewer, sees_everything=sees_everything, now=now)]
    newest_first = (Post.created_at.desc(), Post.id.desc())
    total = _activity_total(session, group, viewer, sees_everything=sees_everything, now=now)
    pages = max(1, math.ceil(total / POSTS_PER_PAGE))
    page = min(max(page, 1), pages)
    # The page's ids first, then only those rows with their author, thread and
    # discussion: joined before the limit, every visible post of the group
    # would be joined to three tables only to be sorted away.
    page_ids = (select(Post.id).join(Thread, Post.thread_id == Thread.id)
                .join(Discussion, Thread.discussion_id == Discussion.id).where(*conditions)
                .order_by(*newest_first)
                .offset((page - 1) * POSTS_PER_PAGE).limit(POSTS_PER_PAGE))
    posts = list(session.scalars(
        select(Post).where(Post.id.in_(page_ids.scalar_subquery()))
        .options(joinedload(Post.author),
                 joinedload(Post.thread).joinedload(Thread.discussion))
        .order_by(*newest_first)
    ))
    members = members_by_user(session, group.id, (p.author_id for p in posts))
    return ActivityPage(posts=posts, page=page, pages=pages, total=total, members=members)
