"""Discussions, threads and posts: the rules a caller may rely on.

Posting runs every new text through the group's screening (watched words,
pre-moderation) before it is stored; a published post gets the next number
in its thread, which fixes its page for good.
"""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from casebook.accounts.models import User
from casebook.cases.models import STAGE_TITLES, STAGES, Case, Prompt
from casebook.db import utcnow
from casebook.deliberation import service as deliberation
from casebook.discussion.models import (
    ALL_OPEN,
    HIDDEN,
    MAX_POST_LENGTH,
    NAMED,
    PENDING,
    POSTS_PER_PAGE,
    PSEUDONYMOUS,
    PUBLISHED,
    RELEASE_MODES,
    REMOVED,
    STAGED,
    ContentNoteAck,
    Discussion,
    DiscussionStage,
    Post,
    PostRevision,
    Thread,
    ThreadRead,
)
from casebook.discussion.reading import published_in_thread, released_stage
from casebook.groups.models import FACILITATOR, MODERATOR, ROLES, Group, Membership
from casebook.live import events as live
from casebook.live.models import STAGE_OPENED
from casebook.markdown import count_words, render_markdown
from casebook.moderation import service as moderation
from casebook.moderation.screening import BLOCK, HOLD, PUBLISH, screen
from casebook.notifications import service as notifications

THREAD_TITLE_LENGTH = 200
EXCERPT_LENGTH = 140
# Emphasis marks, quote and heading marks at line starts, link brackets and targets.
_MARKUP_RE = re.compile(
    r"[*`\[\]]+|(?<!\w)_+|_+(?!\w)|^[ \t]*(?:[>#][ \t]*)+|\]?\(https?://[^)\s]*\)",
    re.MULTILINE,
)


def _plain(text: str) -> str:
    # Marks are dropped, not turned into spaces: "**firmly**." must read "firmly." and not
    # "firmly ."; the words on either side of a mark keep whatever spacing they had.
    return " ".join(_MARKUP_RE.sub("", text).split())


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """A one-line plain-text start of ``text`` (Markdown marks dropped), at most ``limit``.

    For display as escaped text only; never rendered as HTML.
    """
    # Lists of posts take an excerpt of each; only a post's start can reach it.
    # The start is cut just after a space or line break, which no mark but a
    # line's leading ">"/"#" run crosses, so its plain text begins exactly as
    # the whole post's does; when it is too short to decide, the whole is read.
    head = text
    if len(text) > 3 * limit:
        cut = max(text.rfind(" ", 0, 3 * limit), text.rfind("\n", 0, 3 * limit))
        if cut > 0:
            head = text[:cut + 1]
    plain = _plain(head)
    if head is not text and len(plain) <= limit:
        plain = _plain(text)
    if len(plain) <= limit:
        return plain
    cut = plain[: limit - 1].rsplit(" ", 1)[0] or plain[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


class PostRefused(Exception):
    """The post was not stored; the message names the rule, for the author."""


@dataclass
class PostOutcome:
    post: Post
    held: bool = False
    duplicate: bool = False  # the same form was submitted twice


def create_discussion(session: Session, group: Group, case: Case, creator: User, *,
                      title: str | None = None, opens_at: datetime | None = None,
                      closes_at: datetime | None = None, post_first: bool = False,
                      post_first_stage: str | None = None, identity: str = NAMED,
                      allow_member_threads: bool = False,
                      prompt_ids=None, release: str = ALL_OPEN,
                      stage_opens_at: dict[str, datetime | None] | None = None) -> Discussion:
    """Assign ``case`` to ``group``: one thread per kept prompt, in stage order.

    ``prompt_ids`` are the prompts kept (None keeps every current prompt); a
    prompt left out gets no thread. Released ``STAGED``, the first stage with
    a prompt opens now and each later one when opened or at its time in
    ``stage_opens_at``. Raises ValueError when nothing would be discussed.
    """
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValueError("The closing time must be after the opening time.")
    if release not in RELEASE_MODES:
        raise ValueError("Choose how the stages open.")
    if post_first_stage and post_first_stage not in STAGES:
        raise ValueError("Choose a stage for post first.")
    kept = [p for p in case.prompts if not p.retired
            and (prompt_ids is None or p.id in set(prompt_ids))]
    if not kept:
        raise ValueError("Keep at least one prompt.")
    discussion = Discussion(
        group_id=group.id, case_id=case.id, title=(title or case.title).strip(),
        opens_at=opens_at, closes_at=closes_at, post_first=post_first,
        post_first_stage=post_first_stage or None, identity=identity,
        allow_member_threads=allow_member_threads, created_by_id=creator.id, release=release,
    )
    session.add(discussion)
    for order, prompt in enumerate(kept):
        # The title is a plain-text label (lists, exports); the page shows the
        # prompt itself. Prompts may be longer than the column.
        discussion.threads.append(Thread(
            prompt_id=prompt.id, title=excerpt(prompt.text_md, THREAD_TITLE_LENGTH),
            position=order, created_by_id=creator.id,
        ))
    if release == STAGED:
        used = {p.stage for p in kept}
        stages = [stage for stage in STAGES if stage in used]
        for order, stage in enumerate(stages):
            discussion.stages.append(DiscussionStage(
                stage=stage, position=order, opened_at=utcnow() if order == 0 else None,
                opens_at=None if order == 0 else (stage_opens_at or {}).get(stage),
            ))
    session.commit()
    return discussion


@dataclass(frozen=True)
class StageStatus:
    """A stage as the discussion page shows it: open or still to come, and when."""

    stage: str
    title: str
    open: bool
    live: bool
    opens_at: datetime | None


def stage_statuses(discussion: Discussion, now: datetime) -> list[StageStatus]:
    """The stages of a staged discussion in order; the live one is the last open."""
    if not discussion.staged:
        return []
    flags = [s.is_open(now) for s in discussion.stages]
    live = max((i for i, is_open in enumerate(flags) if is_open), default=None)
    return [StageStatus(s.stage, STAGE_TITLES.get(s.stage, s.stage), flags[i], i == live,
                        None if flags[i] else s.opens_at)
            for i, s in enumerate(discussion.stages)]


def next_stage(discussion: Discussion, now: datetime) -> DiscussionStage | None:
    """The first stage not open yet, or None when all are open."""
    return next((s for s in discussion.stages if not s.is_open(now)), None)


def open_next_stage(session: Session, discussion: Discussion, actor: User) -> str | None:
    """Open the next closed stage now and log it; its stage key, or None if none was closed."""
    now = utcnow()
    stage = next_stage(discussion, now)
    if stage is None:
        return None
    stage.opened_at = now
    live.record(session, STAGE_OPENED, group_id=discussion.group_id,
                discussion_id=discussion.id, detail=stage.stage)
    moderation.log(session, discussion.group_id, actor, "opened a stage",
                   reason=f"{STAGE_TITLES.get(stage.stage, stage.stage)} in “{discussion.title}”",
                   details={"discussion_id": discussion.id, "stage": stage.stage})
    notifications.stage_opened(session, discussion, stage.stage, actor)
    session.commit()
    return stage.stage


def update_discussion(session: Session, discussion: Discussion, *, title: str,
                      opens_at: datetime | None, closes_at: datetime | None,
                      post_first: bool, identity: str, allow_member_threads: bool,
                      post_first_stage: str | None = None) -> None:
    """Change a discussion's title, times and modes; its threads and posts stay."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValueError("The closing time must be after the opening time.")
    discussion.title = (title or discussion.case.title).strip()
    discussion.opens_at = opens_at
    discussion.closes_at = closes_at
    discussion.post_first = post_first
    discussion.post_first_stage = post_first_stage or None
    discussion.identity = identity
    discussion.allow_member_threads = allow_member_threads
    session.commit()


def check_length(body: str) -> str:
    text = body.strip()
    if not text:
        raise PostRefused("Write something before posting.")
    if len(text) > MAX_POST_LENGTH:
        raise PostRefused(
            f"Posts can be up to {MAX_POST_LENGTH:,} characters; this one has {len(text):,}."
        )
    return text


def _publish(session: Session, post: Post, thread: Thread) -> None:
    # Increment in the database so two posts at once never share a number.
    session.execute(
        update(Thread).where(Thread.id == thread.id)
        .values(last_number=Thread.last_number + 1, last_post_at=utcnow())
    )
    session.refresh(thread, ["last_number", "last_post_at"])
    post.number = thread.last_number
    post.status = PUBLISHED


def submit_post(session: Session, thread: Thread, author: User, membership: Membership,
                body: str, *, reply_to: Post | None = None,
                submission_key: str | None = None,
                tags: Sequence[tuple[str, str]] = ()) -> PostOutcome:
    """Store a post after screening. Raises PostRefused (nothing stored) on a block.

    The caller checks ``policy.may_post_in`` first. A repeated
    ``submission_key`` returns the post the first submission made. ``tags``
    (``deliberation.service.new_post_tags``) are stored with the post.
    """
    if submission_key:
        earlier = session.scalar(select(Post).where(Post.submission_key == submission_key))
        if earlier is not None:
            return PostOutcome(earlier, held=earlier.status == PENDING, duplicate=True)
    text = check_length(body)
    group = session.get(Group, thread.discussion.group_id)
    screening = screen(session, group, membership, text)
    if screening.action == BLOCK:
        raise PostRefused(
            f"This group does not allow “{screening.rule.phrase}” in posts. "
            "Please rewrite that part; your text is still in the form."
        )
    if reply_to is not None and reply_to.thread_id != thread.id:
        reply_to = None
    post = Post(
        thread_id=thread.id, author_id=author.id, body_md=text, body_html=render_markdown(text),
        word_count=count_words(text), reply_to_id=reply_to.id if reply_to else None,
        flagged=screening.flagged, submission_key=submission_key, status=PENDING,
        moderation_reason=screening.reason or None, author_role=membership.role,
    )
    session.add(post)
    deliberation.add_tags(session, post, tags)
    try:
        if screening.action == PUBLISH:
            _publish(session, post, thread)
        session.flush()
    except IntegrityError:
        # The same form sent twice at once: the other request stored it first.
        session.rollback()
        if submission_key:
            earlier = session.scalar(select(Post).where(Post.submission_key == submission_key))
            if earlier is not None:
                return PostOutcome(earlier, held=earlier.status == PENDING, duplicate=True)
        raise
    if screening.rule is not None or screening.flagged:
        moderation.log(
            session, group.id, None, "held by watched word" if screening.action == HOLD
            else "flagged by watched word", post=post, target_user_id=author.id,
            reason=screening.reason or "A watched phrase matched.",
        )
    live.record_post(session, "post_published" if post.status == PUBLISHED else "post_held",
                     post)
    if post.status == PUBLISHED:
        notifications.post_published(session, post)
    session.commit()
    return PostOutcome(post, held=screening.action == HOLD)


def start_thread(session: Session, discussion: Discussion, author: User,
                 membership: Membership, title: str, body: str, *,
                 submission_key: str | None = None,
                 tags: Sequence[tuple[str, str]] = ()) -> PostOutcome:
    """A member's own thread, after the prompts, with its first post.

    The first post is screened like any other; when it is refused
    (PostRefused) no thread is created either. A repeated
    ``submission_key`` returns the first submission's post.
    """
    if submission_key:
        earlier = session.scalar(select(Post).where(Post.submission_key == submission_key))
        if earlier is not None:
            return PostOutcome(earlier, held=earlier.status == PENDING, duplicate=True)
    check_length(body)
    title = " ".join(title.split())
    if not title:
        raise ValueError("Give the thread a title.")
    position = session.scalar(
        select(func.coalesce(func.max(Thread.position), -1))
        .where(Thread.discussion_id == discussion.id)
    ) + 1
    thread = Thread(discussion=discussion, prompt_id=None, title=title[:THREAD_TITLE_LENGTH],
                    position=position, created_by_id=author.id)
    session.add(thread)
    session.flush()
    try:
        return submit_post(session, thread, author, membership, body,
                           submission_key=submission_key, tags=tags)
    except PostRefused:
        session.rollback()
        raise


def approve_post(session: Session, post: Post) -> None:
    """Publish a held post (the moderation views log who did it)."""
    if post.number is None:
        _publish(session, post, post.thread)
    else:
        post.status = PUBLISHED
    post.moderation_reason = None


def edit_post(session: Session, post: Post, membership: Membership, body: str, *,
              tags: Sequence[tuple[str, str]] | None = None) -> None:
    """Change the text, keeping the old one for moderators. Screened like a new post.

    ``tags`` (None leaves them) replace the lens and stakeholder tags the
    author chose; changing only the tags makes no revision."""
    text = check_length(body)
    if text == post.body_md:
        if tags is not None and deliberation.replace_author_tags(session, post, tags):
            session.commit()
        return
    group = session.get(Group, membership.group_id)
    screening = screen(session, group, membership, text)
    if screening.action == BLOCK:
        raise PostRefused(
            f"This group does not allow “{screening.rule.phrase}” in posts. "
            "Please rewrite that part; your text is still in the form."
        )
    if tags is not None:
        deliberation.replace_author_tags(session, post, tags)
    session.add(PostRevision(post_id=post.id, body_md=post.body_md,
                             created_at=post.edited_at or post.created_at))
    post.body_md = text
    post.body_html = render_markdown(text)
    post.word_count = count_words(text)
    post.edited_at = utcnow()
    post.flagged = post.flagged or screening.flagged
    if screening.rule is not None and screening.action == HOLD:
        # An edit must not smuggle a held phrase past the queue.
        post.status = PENDING
        post.moderation_reason = screening.reason
    live.record_post(session, "post_edited", post)
    session.commit()


def delete_post(session: Session, post: Post) -> None:
    """Soft delete by the author: the thread shows "removed by its author"."""
    post.status = REMOVED
    live.record_post(session, "post_removed", post)
    session.commit()


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



















