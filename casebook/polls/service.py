"""Before/after position polls: the rules a caller may rely on.

A discussion polls its case's current (not retired) positions on a
five-point scale (``SCALE``, stored 1..5), each with an optional one-line
reason.

- Before: open to a participant until their first post anywhere in the
  discussion (any post they wrote, in any state). Until then they may change
  their answers; from then on the before answers are locked.
- After: open once the discussion's last stage is open (from the start for a
  discussion whose stages all open at once) and the participant has answered
  the before poll or had it locked by posting. After answers may be changed
  until the discussion closes.

Who may answer and who sees what is ``casebook.policy`` (``may_answer_poll``,
``may_see_poll_distribution``, ``may_see_poll_results``); this module says
whether a phase is open for a person. Distributions and shifts are counts
only and never name anyone.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.sql.elements import ColumnElement

from casebook.accounts.models import User
from casebook.cases.models import Position
from casebook.db import utcnow
from casebook.discussion.models import Discussion, Post, Thread
from casebook.discussion.service import next_stage
from casebook.live import events as live
from casebook.live.models import POLL_ANSWERED
from casebook.polls.models import AFTER, BEFORE, REASON_LENGTH, SCALE, PollAnswer


class PollRefused(Exception):
    """Nothing was saved; the message says why, for the participant."""


def positions(session: Session, discussion: Discussion) -> list[Position]:
    """The statements this discussion polls, in the case's order."""
    return list(session.scalars(
        select(Position).where(Position.case_id == discussion.case_id, Position.retired.is_(False))
        .order_by(Position.position, Position.id)
    ))


def has_posted(session: Session, discussion: Discussion, user: User) -> bool:
    """Whether ``user`` wrote any post in ``discussion`` (this locks the before poll)."""
    return bool(session.scalar(select(exists().where(
        Post.author_id == user.id,
        Post.thread_id.in_(select(Thread.id).where(Thread.discussion_id == discussion.id)),
    ))))


def answers(session: Session, discussion: Discussion, user: User,
            phase: str) -> dict[int, PollAnswer]:
    """``user``'s answers of ``phase``, by position id."""
    return {a.position_id: a for a in session.scalars(
        select(PollAnswer).where(PollAnswer.discussion_id == discussion.id,
                                 PollAnswer.user_id == user.id, PollAnswer.phase == phase)
    )}


def last_stage_open(discussion: Discussion, now: datetime) -> bool:
    return not discussion.staged or next_stage(discussion, now) is None


@dataclass(frozen=True)
class PollState:
    """Where one participant stands with a discussion's poll."""

    has_positions: bool
    posted: bool
    answered_before: bool
    answered_after: bool
    last_stage_open: bool

    @property
    def before_locked(self) -> bool:
        return self.posted

    @property
    def after_open(self) -> bool:
        return self.last_stage_open and (self.answered_before or self.posted)

    def is_open(self, phase: str) -> bool:
        if not self.has_positions:
            return False
        return not self.before_locked if phase == BEFORE else self.after_open

    def answered(self, phase: str) -> bool:
        return self.answered_before if phase == BEFORE else self.answered_after

    @property
    def before_due(self) -> bool:
        """The "Before you post" invitation: positions to answer, none answered, no post yet."""
        return self.has_positions and not self.posted and not self.answered_before

    @property
    def after_due(self) -> bool:
        return self.has_positions and self.after_open and not self.answered_after


def state(session: Session, discussion: Discussion, user: User,
          now: datetime | None = None) -> PollState:
    """``user``'s poll state in one query (a signed-out viewer has none to answer)."""
    now = now or utcnow()
    if not user.is_authenticated:
        return PollState(False, False, False, False, last_stage_open(discussion, now))
    row = session.execute(select(*state_columns(discussion.id, discussion.case_id,
                                                user.id))).one()
    return state_of(row, discussion, now)


def state_columns(discussion_id: int | ColumnElement, case_id: int | ColumnElement,
                  user_id: int | ColumnElement) -> list[ColumnElement]:
    """What ``state`` asks the database, as columns for a page that folds them
    into its own query; ``state_of`` reads them back."""
    own = and_(PollAnswer.discussion_id == discussion_id, PollAnswer.user_id == user_id)
    return [
        exists().where(Position.case_id == case_id, Position.retired.is_(False)),
        exists().where(Post.author_id == user_id, Post.thread_id.in_(
            select(Thread.id).where(Thread.discussion_id == discussion_id))),
        exists().where(own, PollAnswer.phase == BEFORE),
        exists().where(own, PollAnswer.phase == AFTER),
    ]


def state_of(values, discussion: Discussion, now: datetime) -> PollState:
    """The ``PollState`` from the four values of ``state_columns``."""
    return PollState(*(bool(v) for v in values), last_stage_open(discussion, now))


def one_line(text: str | None) -> str | None:
    """A reason as one line of at most ``REASON_LENGTH`` characters; None when empty."""
    text = " ".join((text or "").split())
    return text[:REASON_LENGTH] or None


def save_answers(session: Session, discussion: Discussion, user: User, phase: str,
                 given: dict[int, tuple[int, str | None]], now: datetime | None = None) -> None:
    """Store ``user``'s answers of ``phase``: ``{position_id: (value, reason)}``, one per
    current position. Replaces earlier answers of the same phase.

    The caller checks ``policy.may_answer_poll`` first. Raises PollRefused
    (nothing saved) when the phase is not open to ``user`` (a before poll
    locked by a post, an after poll not open yet) or the answers do not fit.
    """
    now = now or utcnow()
    current = state(session, discussion, user, now)
    if phase == BEFORE and current.before_locked:
        raise PollRefused("Your answers from before the discussion are locked: you have "
                          "posted in it since. The after poll opens with the last stage.")
    if not current.is_open(phase):
        raise PollRefused("The after poll opens when the last stage of the discussion opens.")
    wanted = {p.id for p in positions(session, discussion)}
    if set(given) != wanted or any(v not in SCALE for v, _reason in given.values()):
        raise PollRefused("Choose where you stand on every statement.")
    earlier = answers(session, discussion, user, phase)
    for position_id, (value, reason) in given.items():
        answer = earlier.get(position_id)
        if answer is None:
            session.add(PollAnswer(discussion_id=discussion.id, position_id=position_id,
                                   user_id=user.id, phase=phase, value=value,
                                   reason=one_line(reason), created_at=now, updated_at=now))
        elif (answer.value, answer.reason) != (value, one_line(reason)):
            answer.value, answer.reason, answer.updated_at = value, one_line(reason), now
    # Open projector screens redraw the counts (the event names no one).
    live.record(session, POLL_ANSWERED, group_id=discussion.group_id,
                discussion_id=discussion.id)
    try:
        session.commit()
    except IntegrityError:
        # The same form sent twice at once: the other request saved the answers.
        session.rollback()


def distribution(session: Session, discussion: Discussion,
                 phase: str) -> dict[int, list[int]]:
    """Answers of ``phase`` per position: ``{position_id: [count of 1, .., count of 5]}``,
    every polled position present (zeros when nobody answered). One query."""
    counts = {p.id: [0] * len(SCALE) for p in positions(session, discussion)}
    rows = session.execute(
        select(PollAnswer.position_id, PollAnswer.value, func.count())
        .where(PollAnswer.discussion_id == discussion.id, PollAnswer.phase == phase)
        .group_by(PollAnswer.position_id, PollAnswer.value)
    )
    for position_id, value, count in rows:
        if position_id in counts and value in SCALE:
            counts[position_id][value - 1] = count
    return counts


@dataclass(frozen=True)
class Shift:
    """Of those who answered a position both before and after: who moved which way."""

    toward_agree: int = 0
    toward_disagree: int = 0
    unchanged: int = 0

    @property
    def answered_both(self) -> int:
        return self.toward_agree + self.toward_disagree + self.unchanged


def shifts(session: Session, discussion: Discussion) -> dict[int, Shift]:
    """Per polled position, how the people who answered both phases moved. One query."""
    before, after = aliased(PollAnswer), aliased(PollAnswer)
    direction = case((after.value > before.value, 1), (after.value < before.value, -1), else_=0)
    rows = session.execute(
        select(before.position_id, direction, func.count())
        .join(after, and_(after.discussion_id == before.discussion_id,
                          after.user_id == before.user_id,
                          after.position_id == before.position_id, after.phase == AFTER))
        .where(before.discussion_id == discussion.id, before.phase == BEFORE)
        .group_by(before.position_id, direction)
    )
    tallies: dict[int, dict[int, int]] = {}
    for position_id, sign, count in rows:
        tallies.setdefault(position_id, {})[int(sign)] = count
    return {p.id: Shift(tallies.get(p.id, {}).get(1, 0), tallies.get(p.id, {}).get(-1, 0),
                        tallies.get(p.id, {}).get(0, 0))
            for p in positions(session, discussion)}


def all_answers(session: Session, discussion: Discussion) -> list[PollAnswer]:
    """Every answer with its author, for the people who run the discussion."""
    return list(session.scalars(
        select(PollAnswer).where(PollAnswer.discussion_id == discussion.id)
        .options(joinedload(PollAnswer.user))
        .order_by(PollAnswer.position_id, PollAnswer.phase.desc(), PollAnswer.value,
                  PollAnswer.id)
    ))
