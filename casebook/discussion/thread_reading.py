"""Reading one thread: its pages and read marks, counts, the prompts beside it,
content-note acknowledgements, edit history, and how an author is named.

Nothing here changes a post; ``casebook.discussion.service`` holds the rules
for writing. What a member may see is ``casebook.discussion.reading`` (as SQL)
and ``casebook.policy``.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from casebook.accounts.models import User
from casebook.cases.models import Prompt
from casebook.db import utcnow
from casebook.discussion.models import (
    HIDDEN,
    PENDING,
    POSTS_PER_PAGE,
    PSEUDONYMOUS,
    PUBLISHED,
    ContentNoteAck,
    Discussion,
    Post,
    PostRevision,
    Thread,
    ThreadRead,
)
from casebook.discussion.reading import published_in_thread, released_stage
from casebook.groups.models import FACILITATOR, MODERATOR, ROLES, Membership


def page_of(post: Post) -> int:
    if post.number is None:
        return last_page(post.thread)
    return (post.number - 1) // POSTS_PER_PAGE + 1


def last_page(thread: Thread) -> int:
    return max(1, (thread.last_number - 1) // POSTS_PER_PAGE + 1)


def has_answered(session: Session, thread: Thread, user: User) -> bool:
    if not user.is_authenticated:
        return False
    return bool(session.scalar(select(exists().where(
        Post.thread_id == thread.id, Post.author_id == user.id,
        Post.status.in_((PUBLISHED, PENDING, HIDDEN)),
    ))))


@dataclass
class ThreadPage:
    posts: list[Post]
    page: int
    pages: int
    members: dict[int, Membership] = field(default_factory=dict)  # by user id


def thread_page(session: Session, thread: Thread, viewer: User, *, page: int,
                include_unpublished_of_others: bool) -> ThreadPage:
    """One page of a thread in a fixed number of queries, whatever its length.

    Numbered posts fill pages in order; posts without a number (awaiting
    approval or rejected) show on the last page, to their author and, with
    ``include_unpublished_of_others``, to moderators.
    """
    pages = last_page(thread)
    page = min(max(page, 1), pages)
    first = (page - 1) * POSTS_PER_PAGE + 1
    in_range = and_(Post.number >= first, Post.number < first + POSTS_PER_PAGE)
    conditions = [in_range]
    if page == pages:
        unnumbered = Post.number.is_(None)
        if include_unpublished_of_others:
            conditions.append(unnumbered)
        elif viewer.is_authenticated:
            conditions.append(and_(unnumbered, Post.author_id == viewer.id))
    posts = list(session.scalars(
        select(Post).where(Post.thread_id == thread.id, or_(*conditions))
        # Joined, not select-in: the identity map would make a select-in load
        # skip its query on some pages and not others.
        .options(joinedload(Post.author),
                 joinedload(Post.reply_to).joinedload(Post.author))
        .order_by(Post.number.is_(None), Post.number, Post.id)
    ))
    author_ids = {p.author_id for p in posts if p.author_id is not None}
    author_ids |= {p.reply_to.author_id for p in posts if p.reply_to and p.reply_to.author_id}
    members = {}
    if author_ids:
        members = {m.user_id: m for m in session.scalars(
            select(Membership).where(Membership.group_id == thread.discussion.group_id,
                                     Membership.user_id.in_(author_ids))
        )}
    return ThreadPage(posts=posts, page=page, pages=pages, members=members)


def mark_read(session: Session, thread: Thread, user: User, up_to: int,
              before: int | None = None) -> int:
    """Record reading up to post ``up_to``; returns the number read before.

    ``before``: the mark as the caller already read it (``read_mark_column``,
    0 for none), which saves looking it up.
    """
    read = None
    if before is None:
        read = session.get(ThreadRead, (user.id, thread.id))
        before = read.last_read_number if read else 0
    if up_to > before:
        # An upsert, not get-then-add: two tabs of the same member reading the
        # thread at once would otherwise both insert, and one would get a 500.
        insert = (pg_insert if session.get_bind().dialect.name == "postgresql"
                  else sqlite_insert)
        statement = insert(ThreadRead).values(
            user_id=user.id, thread_id=thread.id, last_read_number=up_to, read_at=utcnow())
        session.execute(statement.on_conflict_do_update(
            index_elements=[ThreadRead.user_id, ThreadRead.thread_id],
            set_={"last_read_number": statement.excluded.last_read_number,
                  "read_at": statement.excluded.read_at},
            where=statement.excluded.last_read_number > ThreadRead.last_read_number,
        ))
        if read is not None:
            session.expire(read)
    else:
        # Nothing new read: no write, so rereading a page never locks the table.
        return before
    session.commit()
    return before


def thread_counts(session: Session, discussion: Discussion) -> dict[int, int]:
    """Published posts per thread of ``discussion`` (threads with none left
    out), in one query whose cost follows threads, not posts."""
    rows = session.execute(
        select(Thread.id, published_in_thread())
        .where(Thread.discussion_id == discussion.id, Thread.last_number > 0)
    )
    return {thread_id: count for thread_id, count in rows if count}


def published_count(session: Session, thread: Thread) -> int:
    return session.scalar(
        select(func.count()).select_from(Post)
        .where(Post.thread_id == thread.id, Post.status == PUBLISHED)
    )


def answered_threads(session: Session, discussion: Discussion, user: User) -> set[int]:
    """Threads of ``discussion`` where ``user`` has answered (as ``has_answered``)."""
    if not user.is_authenticated:
        return set()
    return set(session.scalars(
        select(Post.thread_id).distinct()
        .join(Thread, Post.thread_id == Thread.id)
        .where(Thread.discussion_id == discussion.id, Post.author_id == user.id,
               Post.status.in_((PUBLISHED, PENDING, HIDDEN)))
    ))


@dataclass(frozen=True)
class PromptLink:
    """A neighbouring prompt thread: where it is and what it asks."""

    thread_id: int
    text_md: str


def prompt_neighbours(session: Session, thread: Thread, *, sees_everything: bool = True,
                      now: datetime | None = None
                      ) -> tuple[PromptLink | None, PromptLink | None]:
    """The prompt threads before and after ``thread`` in stage order, in one query.

    Member-started threads are not prompts and have no neighbours. Two columns
    per prompt, not whole threads: every thread page asks. Without
    ``sees_everything`` (``policy.sees_everything``) only released prompts count.
    """
    if thread.prompt_id is None:
        return None, None
    # A participant is never pointed at a prompt of a stage still to come.
    released_only = thread.discussion.staged and not sees_everything
    prompts = [PromptLink(*row) for row in session.execute(
        _prompts_statement(released_only),
        {"discussion_id": thread.discussion_id, "now": now or utcnow()})]
    at = next(i for i, p in enumerate(prompts) if p.thread_id == thread.id)
    return (prompts[at - 1] if at > 0 else None,
            prompts[at + 1] if at + 1 < len(prompts) else None)


def read_mark_column(thread_id: ColumnElement, user_id: int | ColumnElement) -> ColumnElement:
    """How far ``user_id`` has read the thread (0 for not at all), as a scalar
    subquery for a page that folds it into its own query."""
    return func.coalesce(
        select(ThreadRead.last_read_number)
        .where(ThreadRead.user_id == user_id, ThreadRead.thread_id == thread_id)
        .scalar_subquery(), 0)


def note_acknowledged_column(discussion_id: ColumnElement,
                             user_id: int | ColumnElement) -> ColumnElement:
    """``has_acknowledged_note`` as a column, for a page that folds it into its own query."""
    return exists().where(ContentNoteAck.user_id == user_id,
                          ContentNoteAck.discussion_id == discussion_id)


@functools.cache
def _prompts_statement(released_only: bool):
    """Built once per kind: building it costs more than running it."""
    query = (select(Thread.id, Prompt.text_md).join(Prompt, Thread.prompt_id == Prompt.id)
             .where(Thread.discussion_id == bindparam("discussion_id"))
             .order_by(Thread.position, Thread.id))
    if released_only:
        query = query.where(released_stage(bindparam("now")))
    return query


def has_acknowledged_note(session: Session, discussion: Discussion, user: User) -> bool:
    if not user.is_authenticated:
        return False
    return session.get(ContentNoteAck, (user.id, discussion.id)) is not None


def acknowledge_note(session: Session, discussion: Discussion, user: User) -> bool:
    """Record that ``user`` read the case's content note here; False if they already had."""
    if has_acknowledged_note(session, discussion, user):
        return False
    session.add(ContentNoteAck(user_id=user.id, discussion_id=discussion.id))
    try:
        session.commit()
    except IntegrityError:
        # Two tabs acknowledged at once: the other request stored it.
        session.rollback()
        return False
    return True


def revisions(session: Session, post: Post) -> list[PostRevision]:
    """A post's earlier texts, newest first."""
    return list(session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id)
        .order_by(PostRevision.replaced_at.desc(), PostRevision.id.desc())
    ))


# Author labels ---------------------------------------------------------------

@dataclass(frozen=True)
class AuthorLabel:
    name: str
    badge: str | None = None  # role, for facilitators' and moderators' posts

    def __str__(self) -> str:
        return f"{self.name} ({self.badge})" if self.badge else self.name


DELETED_ACCOUNT = AuthorLabel("Deleted member")


def author_label(author: User | None, membership: Membership | None, discussion: Discussion,
                 *, real_names: bool, role: str | None = None) -> AuthorLabel:
    """How a post's author is named, by the discussion's identity rule.

    Named: the display name. Pseudonymous: participants appear as their
    pseudonym, with the real name added when ``real_names`` (facilitators,
    moderators, site admins). Facilitators and moderators always post under
    their real name with their role. ``role`` is the role the author had when
    writing (a post's ``author_role``); without it the current role counts.
    """
    if author is None:
        return DELETED_ACCOUNT
    role = role or (membership.role if membership is not None else None)
    staff = role in (FACILITATOR, MODERATOR)
    badge = ROLES[role] if staff else None
    if discussion.identity != PSEUDONYMOUS or staff:
        return AuthorLabel(author.display_name, badge)
    pseudonym = membership.pseudonym if membership is not None else "Former member"
    if real_names:
        return AuthorLabel(f"{pseudonym} ({author.display_name})")
    return AuthorLabel(pseudonym)
