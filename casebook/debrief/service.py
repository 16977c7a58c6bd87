"""The debrief of a discussion: the figures, the key contributions and the
facilitator's closing words.

Figures are read from the discussion when the page is shown, never stored:
a post hidden after the debrief was written drops out of it at once. The
page costs a fixed number of queries however many posts there are.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from casebook.accounts.models import User
from casebook.cases.models import STAGE_TITLES, STAGES, Prompt
from casebook.db import utcnow
from casebook.debrief.models import MAX_SUMMARY_LENGTH, Debrief, KeyContribution
from casebook.discussion import participation
from casebook.discussion.models import PUBLISHED, Discussion, Post, Thread
from casebook.groups.models import Group
from casebook.markdown import render_markdown


class DebriefRefused(Exception):
    """The change was refused; ``str(exc)`` says why, for the form."""


@dataclass
class StageFigures:
    stage: str
    title: str
    posts: int
    authors: int
    words: int


@dataclass
class Figures:
    members: int  # active members, and former members who posted
    posted: int  # of them, how many wrote at least one published post
    posts: int
    words: int
    replies: int
    prompts_total: int
    stages: list[StageFigures]
    member_threads: StageFigures | None

    @property
    def not_posted(self) -> int:
        return self.members - self.posted


def _stage_figures(session: Session, discussion: Discussion) -> list[tuple]:
    """(stage or None, posts, distinct authors, words) over published posts."""
    return session.execute(
        select(Prompt.stage, func.count(Post.id), func.count(func.distinct(Post.author_id)),
               func.coalesce(func.sum(Post.word_count), 0))
        .select_from(Post)
        .join(Thread, Post.thread_id == Thread.id)
        .outerjoin(Prompt, Thread.prompt_id == Prompt.id)
        .where(Thread.discussion_id == discussion.id, Post.status == PUBLISHED)
        .group_by(Prompt.stage)
    ).all()


def figures(session: Session, group: Group, discussion: Discussion) -> Figures:
    """Participation as totals (no one's individual figures), and per stage."""
    rows = participation.participation(session, group, discussion)
    by_stage = {stage: (posts, authors, int(words))
                for stage, posts, authors, words in _stage_figures(session, discussion)}
    stages = [StageFigures(stage, STAGE_TITLES[stage], *by_stage.get(stage, (0, 0, 0)))
              for stage in STAGES]
    member = by_stage.get(None)
    return Figures(
        members=len(rows.rows),
        posted=sum(1 for row in rows.rows if row.posts),
        posts=sum(row.posts for row in rows.rows),
        words=sum(row.words for row in rows.rows),
        replies=sum(row.replies_given for row in rows.rows),
        prompts_total=rows.prompts_total,
        stages=stages,
        member_threads=StageFigures("member", "Threads started by members", *member)
        if member else None,
    )


# Key contributions ----------------------------------------------------------

def key_post_ids(session: Session, discussion_id: int) -> set[int]:
    """The posts marked as key contributions in a discussion (a handful)."""
    return set(session.scalars(
        select(KeyContribution.post_id).where(KeyContribution.discussion_id == discussion_id)))


def mark_key(session: Session, post: Post, actor: User, *, key: bool) -> bool:
    """Mark (or unmark) a published post as a key contribution; True if anything changed.

    Only published posts can be marked: a held, hidden or removed post is
    refused, and one hidden after marking leaves the debrief by itself.
    The thread's cached post list is refreshed through ``Thread.version``
    (the row is a ``KeyContribution``, which ``casebook.fragments`` watches).
    """
    discussion_id = post.thread.discussion_id
    existing = session.scalar(select(KeyContribution).where(
        KeyContribution.discussion_id == discussion_id, KeyContribution.post_id == post.id))
    if key:
        if post.status != PUBLISHED:
            raise DebriefRefused("Only a published post can be a key contribution.")
        if existing is not None:
            return False
        session.add(KeyContribution(discussion_id=discussion_id, post_id=post.id,
                                    marked_by_id=actor.id))
    else:
        if existing is None:
            return False
        session.delete(existing)
    session.commit()
    return True


def key_contributions(session: Session, discussion: Discussion) -> list[Post]:
    """The marked posts still published, in the order of the discussion."""
    return list(session.scalars(
        select(Post)
        .join(KeyContribution, KeyContribution.post_id == Post.id)
        .join(Thread, Post.thread_id == Thread.id)
        .where(KeyContribution.discussion_id == discussion.id, Post.status == PUBLISHED)
        .order_by(Thread.position, Thread.id, Post.number)
        .options(joinedload(Post.author), joinedload(Post.thread).joinedload(Thread.prompt))
    ).unique())


# The debrief itself -----------------------------------------------------------

def debrief_for(session: Session, discussion: Discussion) -> Debrief | None:
    return session.scalar(select(Debrief).where(Debrief.discussion_id == discussion.id))


def save_debrief(session: Session, discussion: Discussion, actor: User, *,
                 summary: str, shared: bool) -> Debrief:
    """Create or update the debrief of a closed discussion.

    Refused while the discussion is open or scheduled: a debrief looks back
    on a discussion that has ended.
    """
    if discussion.state(utcnow()) != "closed":
        raise DebriefRefused("A debrief can be written once the discussion has closed.")
    summary = summary.strip()
    if len(summary) > MAX_SUMMARY_LENGTH:
        raise DebriefRefused(f"Keep the summary under {MAX_SUMMARY_LENGTH:,} characters.")
    debrief = debrief_for(session, discussion)
    if debrief is None:
        debrief = Debrief(discussion_id=discussion.id)
        session.add(debrief)
    debrief.summary_md = summary
    debrief.summary_html = render_markdown(summary) if summary else ""
    debrief.shared = shared
    debrief.updated_at = utcnow()
    debrief.updated_by_id = actor.id
    session.commit()
    return debrief

