"""The projector screen: what a facilitator shows the room.

The room is everyone present, so the screen names authors as their peers see
them (pseudonyms in a pseudonymous discussion, whoever runs the projector) and
shows only published posts: a post hidden or removed after it was put on
screen leaves it at once.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from casebook.cases.models import Position
from casebook.discussion import reading, thread_reading
from casebook.discussion.models import PUBLISHED, Discussion, Post, Thread
from casebook.groups.models import Group
from casebook.live import events as live
from casebook.live.models import PROJECTOR_CHANGED, ProjectorPost
from casebook.polls import chart
from casebook.polls import service as polls
from casebook.polls.chart import Chart
from casebook.polls.models import AFTER, BEFORE, PHASES


@dataclass
class LivePrompt:
    thread: Thread
    answers: int


@dataclass
class ScreenPost:
    post: Post
    label: thread_reading.AuthorLabel


@dataclass
class ScreenPoll:
    position: Position
    chart: Chart


@dataclass
class Screen:
    prompts: list[LivePrompt]
    posts: list[ScreenPost]
    # The poll counts the facilitator has revealed (``Discussion.projector_poll``).
    polls: list[ScreenPoll] = field(default_factory=list)
    poll_phase: str | None = None


def live_threads(session: Session, discussion: Discussion, now: datetime) -> list[Thread]:
    """The prompts the room is answering: the latest opened stage's, or every
    prompt when the discussion is not released stage by stage."""
    threads = list(session.scalars(
        select(Thread).where(Thread.discussion_id == discussion.id,
                             Thread.prompt_id.is_not(None))
        .options(joinedload(Thread.prompt)).order_by(Thread.position)))
    if not discussion.staged:
        return threads
    opened = [s.stage for s in sorted(discussion.stages, key=lambda s: s.position)
              if s.is_open(now)]
    return [t for t in threads if opened and t.prompt.stage == opened[-1]]


def screen(session: Session, group: Group, discussion: Discussion, now: datetime) -> Screen:
    """Everything the projector shows now, in a fixed number of queries."""
    counts = thread_reading.thread_counts(session, discussion)
    prompts = [LivePrompt(t, counts.get(t.id, 0))
               for t in live_threads(session, discussion, now)]
    posts = list(session.scalars(
        select(Post).join(ProjectorPost, ProjectorPost.post_id == Post.id)
        .where(ProjectorPost.discussion_id == discussion.id, Post.status == PUBLISHED)
        .options(joinedload(Post.author)).order_by(ProjectorPost.shown_at, Post.id)))
    members = reading.members_by_user(session, group.id, (p.author_id for p in posts))
    return Screen(prompts=prompts, posts=[
        ScreenPost(p, thread_reading.author_label(p.author, members.get(p.author_id), discussion,
                                           real_names=False, role=p.author_role))
        for p in posts], polls=_revealed_polls(session, discussion),
        poll_phase=discussion.projector_poll)


def _revealed_polls(session: Session, discussion: Discussion) -> list[ScreenPoll]:
    """Counts only, never who answered what: what the facilitator chose to reveal."""
    phase = discussion.projector_poll
    if phase not in PHASES:
        return []
    before = polls.distribution(session, discussion, BEFORE)
    after = polls.distribution(session, discussion, AFTER) if phase == AFTER else None
    return [ScreenPoll(p, chart.before_after(before[p.id], after and after[p.id]))
            for p in polls.positions(session, discussion)]


def reveal_poll(session: Session, discussion: Discussion, phase: str | None) -> None:
    """Put the poll's counts on the screen (``before``, or ``after`` beside before),
    or take them off (None); open screens redraw at once."""
    discussion.projector_poll = phase if phase in PHASES else None
    live.record(session, PROJECTOR_CHANGED, group_id=discussion.group_id,
                discussion_id=discussion.id)
    session.commit()


def on_screen(session: Session, discussion_id: int) -> set[int]:
    return set(session.scalars(select(ProjectorPost.post_id)
                               .where(ProjectorPost.discussion_id == discussion_id)))


def _changed(session: Session, post: Post) -> None:
    discussion = post.thread.discussion
    live.record(session, PROJECTOR_CHANGED, group_id=discussion.group_id,
                discussion_id=discussion.id, thread_id=post.thread_id, post_id=post.id)
    session.commit()


def show(session: Session, post: Post) -> None:
    """Put a published post on its discussion's screen (the caller asked the policy)."""
    if session.get(ProjectorPost, post.id) is None:
        session.add(ProjectorPost(post_id=post.id,
                                  discussion_id=post.thread.discussion_id))
    _changed(session, post)


def take_down(session: Session, post: Post) -> None:
    """Remove a post from the screen; nothing happens to the post itself."""
    shown = session.get(ProjectorPost, post.id)
    if shown is not None:
        session.delete(shown)
    _changed(session, post)
