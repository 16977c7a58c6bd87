"""What waits for moderators and what they did: the queue of held and reported
posts, the counts on the moderation link, and pages of the log. Reads only."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from casebook.db import utcnow
from casebook.discussion.models import (
    PENDING,
    PUBLISHED,
    Discussion,
    Post,
    Thread,
)
from casebook.groups.models import ACTIVE, Group, Membership
from casebook.moderation.models import (
    ModerationAction,
    Report,
)

LOG_PER_PAGE = 50
_POST_LOADS = (selectinload(Post.author), selectinload(Post.thread))


@dataclass
class ReportedPost:
    post: Post
    reports: list[Report]


@dataclass
class Queue:
    pending: list[Post]
    reported: list[ReportedPost]
    flagged: list[Post]
    muted: list[Membership]
    members: dict[int, Membership] = field(default_factory=dict)  # by user id

    @property
    def empty(self) -> bool:
        return not (self.pending or self.reported or self.flagged)


def _group_posts(group_id: int):
    return (select(Post).join(Thread, Post.thread_id == Thread.id)
            .join(Discussion, Thread.discussion_id == Discussion.id)
            .where(Discussion.group_id == group_id))


def queue(session: Session, group: Group, now: datetime | None = None) -> Queue:
    """Everything waiting for a moderator, in a fixed number of queries."""
    now = now or utcnow()
    pending = list(session.scalars(
        _group_posts(group.id).where(Post.status == PENDING)
        .options(*_POST_LOADS).order_by(Post.created_at, Post.id)
    ))
    reports = list(session.scalars(
        select(Report).join(Post, Report.post_id == Post.id)
        .join(Thread, Post.thread_id == Thread.id)
        .join(Discussion, Thread.discussion_id == Discussion.id)
        .where(Discussion.group_id == group.id, Report.resolved_at.is_(None),
               Post.status == PUBLISHED)
        .options(selectinload(Report.reporter),
                 selectinload(Report.post).selectinload(Post.author),
                 selectinload(Report.post).selectinload(Post.thread))
        .order_by(Report.created_at, Report.id)
    ))
    by_post: dict[int, ReportedPost] = {}
    for r in reports:
        by_post.setdefault(r.post_id, ReportedPost(r.post, [])).reports.append(r)
    reported = sorted(by_post.values(), key=lambda rp: (-len(rp.reports), rp.reports[0].id))
    reported_ids = set(by_post)
    flagged = [p for p in session.scalars(
        _group_posts(group.id).where(Post.status == PUBLISHED, Post.flagged.is_(True))
        .options(*_POST_LOADS).order_by(Post.created_at, Post.id)
    ) if p.id not in reported_ids]
    muted = list(session.scalars(
        select(Membership).where(Membership.group_id == group.id, Membership.status == ACTIVE,
                                 Membership.muted_until > now)
        .options(selectinload(Membership.user)).order_by(Membership.muted_until)
    ))
    author_ids = {p.author_id for p in pending + flagged if p.author_id is not None}
    author_ids |= {rp.post.author_id for rp in reported if rp.post.author_id is not None}
    members = {}
    if author_ids:
        members = {m.user_id: m for m in session.scalars(
            select(Membership).where(Membership.group_id == group.id,
                                     Membership.user_id.in_(author_ids))
        )}
    return Queue(pending=pending, reported=reported, flagged=flagged, muted=muted,
                 members=members)


@dataclass(frozen=True)
class QueueCounts:
    waiting: int  # posts held for approval
    reports: int  # open reports on published posts


def queue_counts(session: Session, group: Group) -> QueueCounts:
    """What waits for a moderator, for the badges on the moderation links, in one query."""
    waiting = (select(func.count()).select_from(Post)
               .join(Thread, Post.thread_id == Thread.id)
               .join(Discussion, Thread.discussion_id == Discussion.id)
               .where(Discussion.group_id == group.id, Post.status == PENDING))
    reports = (select(func.count()).select_from(Report)
               .join(Post, Report.post_id == Post.id)
               .join(Thread, Post.thread_id == Thread.id)
               .join(Discussion, Thread.discussion_id == Discussion.id)
               .where(Discussion.group_id == group.id, Report.resolved_at.is_(None),
                      Post.status == PUBLISHED))
    row = session.execute(select(waiting.scalar_subquery(), reports.scalar_subquery())).one()
    return QueueCounts(waiting=row[0] or 0, reports=row[1] or 0)


@dataclass
class LogPage:
    entries: list[ModerationAction]
    page: int
    pages: int
    total: int
    actions: list[str]  # every action name the group's log holds, for the filter
    members: list[Membership]  # everyone who was ever a member, for the filter
    posts: dict[int, Post] = field(default_factory=dict)  # the entries' posts, by id


def log_page(session: Session, group: Group, *, page: int = 1, action: str | None = None,
             user_id: int | None = None) -> LogPage:
    """Newest first, 50 a page, optionally only one action and/or one member.

    The member filter finds entries by or about that member.
    """
    conditions = [ModerationAction.group_id == group.id]
    if action:
        conditions.append(ModerationAction.action == action)
    if user_id:
        conditions.append(or_(ModerationAction.actor_id == user_id,
                              ModerationAction.target_user_id == user_id))
    where = and_(*conditions)
    total = session.scalar(select(func.count()).select_from(ModerationAction).where(where))
    pages = max(1, (total + LOG_PER_PAGE - 1) // LOG_PER_PAGE)
    page = min(max(page, 1), pages)
    entries = list(session.scalars(
        select(ModerationAction).where(where)
        .options(selectinload(ModerationAction.actor), selectinload(ModerationAction.target_user))
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
        .limit(LOG_PER_PAGE).offset((page - 1) * LOG_PER_PAGE)
    ))
    actions = list(session.scalars(
        select(ModerationAction.action).where(ModerationAction.group_id == group.id)
        .distinct().order_by(ModerationAction.action)
    ))
    members = sorted(session.scalars(
        select(Membership).where(Membership.group_id == group.id)
        .options(selectinload(Membership.user))
    ), key=lambda m: (m.user.display_name.casefold(), m.id))
    post_ids = {e.post_id for e in entries if e.post_id is not None}
    posts = {}
    if post_ids:
        posts = {p.id: p for p in session.scalars(
            select(Post).where(Post.id.in_(post_ids)).options(selectinload(Post.thread))
        )}
    return LogPage(entries=entries, page=page, pages=pages, total=total, actions=actions,
                   members=members, posts=posts)
