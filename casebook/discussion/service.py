"""Discussions, threads and posts: the rules a caller may rely on.

Posting runs every new text through the group's screening (watched words,
pre-moderation) before it is stored; a published post gets the next number
in its thread, which fixes its page for good. Reading a thread (its pages,
read marks, counts, how authors are named) is ``discussion.thread_reading``.
"""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casebook.accounts.models import User
from casebook.cases.models import STAGE_TITLES, STAGES, Case
from casebook.db import utcnow
from casebook.deliberation import service as deliberation
from casebook.discussion.models import (
    ALL_OPEN,
    MAX_POST_LENGTH,
    NAMED,
    PENDING,
    PUBLISHED,
    RELEASE_MODES,
    REMOVED,
    STAGED,
    Discussion,
    DiscussionStage,
    Post,
    PostRevision,
    Thread,
)
from casebook.groups.models import Group, Membership
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


# Remembered: every view of a thread, the activity page or a search result
# excerpts the same few texts again.
@functools.lru_cache(maxsize=1024)
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
