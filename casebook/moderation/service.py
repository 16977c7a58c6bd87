"""The moderators' actions, each written to the group's log.

Every action here changes the post, thread or membership and appends one
entry to the group's moderation log in the same transaction, so the log
never says something happened that did not (or the other way round).
Callers check ``policy`` first and make sure the object belongs to the group.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.discussion.models import (
    HIDDEN,
    PENDING,
    PUBLISHED,
    REJECTED,
    Discussion,
    Post,
    Thread,
)
from casebook.groups.models import Group, Membership
from casebook.live import events as live
from casebook.moderation.models import (
    REPORT_REASONS,
    WATCH_ACTIONS,
    ModerationAction,
    Report,
    WatchedWord,
)
from casebook.moderation.screening import _fold, normalise_phrase, watched_words
from casebook.notifications import service as notifications
from casebook.notifications.models import (
    POST_APPROVED,
    POST_HIDDEN,
    POST_REJECTED,
    POST_RESTORED,
)

MUTE_DURATIONS = {
    "1h": ("1 hour", timedelta(hours=1)),
    "1d": ("1 day", timedelta(days=1)),
    "1w": ("1 week", timedelta(weeks=1)),
    "30d": ("30 days", timedelta(days=30)),
}
MAX_REASON_LENGTH = 500
MAX_REPORT_DETAIL = 1000


class ModerationError(Exception):
    """The action does not fit the object's state; the message is for the moderator."""


class DuplicateWord(ModerationError):
    pass


class AlreadyReported(ModerationError):
    """The member has reported this post before; ``report`` is that report."""

    def __init__(self, report: Report):
        super().__init__("You have already reported this post.")
        self.report = report


def log(session: Session, group_id: int, actor: User | None, action: str, *,
        reason: str = "", target_user_id: int | None = None, post: Post | None = None,
        thread: Thread | None = None, details: dict | None = None) -> ModerationAction:
    """Append to the group's moderation log (in the caller's transaction)."""
    entry = ModerationAction(
        group_id=group_id, actor_id=actor.id if actor is not None else None, action=action,
        reason=reason, target_user_id=target_user_id,
        post_id=post.id if post is not None else None,
        thread_id=thread.id if thread is not None else (post.thread_id if post else None),
        details=details or {}, created_at=utcnow(),
    )
    session.add(entry)
    return entry


# Finding a group's objects (None when the id belongs to another group) -----

def post_in_group(session: Session, group_id: int, post_id: int) -> Post | None:
    return session.scalar(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .join(Discussion, Thread.discussion_id == Discussion.id)
        .where(Post.id == post_id, Discussion.group_id == group_id)
    )


def thread_in_group(session: Session, group_id: int, thread_id: int) -> Thread | None:
    return session.scalar(
        select(Thread).join(Discussion, Thread.discussion_id == Discussion.id)
        .where(Thread.id == thread_id, Discussion.group_id == group_id)
    )


def report_in_group(session: Session, group_id: int, report_id: int) -> Report | None:
    return session.scalar(
        select(Report).join(Post, Report.post_id == Post.id)
        .join(Thread, Post.thread_id == Thread.id)
        .join(Discussion, Thread.discussion_id == Discussion.id)
        .where(Report.id == report_id, Discussion.group_id == group_id)
    )


def group_id_of(post: Post) -> int:
    return post.thread.discussion.group_id


# Posts ----------------------------------------------------------------------

def _clean_reason(reason: str, *, required: bool) -> str:
    text = " ".join((reason or "").split())
    if required and not text:
        raise ModerationError("Give a reason; the author will see it.")
    return text[:MAX_REASON_LENGTH]


def _lock(session: Session, post: Post) -> None:
    # Re-read the post under a row lock (PostgreSQL), so a double-clicked
    # Approve or two moderators at once see the first decision, not act twice.
    session.refresh(post, with_for_update=True)


def _resolve_reports(session: Session, post: Post, actor: User) -> int:
    reports = list(session.scalars(
        select(Report).where(Report.post_id == post.id, Report.resolved_at.is_(None))
    ))
    now = utcnow()
    for report in reports:
        report.resolved_at = now
        report.resolved_by_id = actor.id
    return len(reports)


def approve(session: Session, post: Post, actor: User) -> None:
    """Publish a post waiting for approval; it gets its number now."""
    from casebook.discussion.service import approve_post

    _lock(session, post)
    if post.status != PENDING:
        raise ModerationError("That post is not waiting for approval.")
    held_for = post.moderation_reason or ""
    approve_post(session, post)
    post.flagged = False  # a moderator has read it
    live.record_post(session, "post_published", post)
    log(session, group_id_of(post), actor, "approved post", post=post,
        target_user_id=post.author_id, details={"held": held_for} if held_for else None)
    notifications.moderated(session, post, POST_APPROVED, actor)
    notifications.post_published(session, post)
    session.commit()


def reject(session: Session, post: Post, actor: User, reason: str) -> None:
    """Refuse a held post; only its author (and moderators) see it, with the reason."""
    _lock(session, post)
    if post.status != PENDING:
        raise ModerationError("That post is not waiting for approval.")
    reason = _clean_reason(reason, required=True)
    post.status = REJECTED
    post.moderation_reason = reason
    live.record_post(session, "post_rejected", post)
    log(session, group_id_of(post), actor, "rejected post", post=post,
        target_user_id=post.author_id, reason=reason)
    notifications.moderated(session, post, POST_REJECTED, actor, reason)
    session.commit()


def hide(session: Session, post: Post, actor: User, reason: str) -> None:
    """Take a published post out of view; peers see a placeholder, the author the reason.

    Open reports on it are settled by this decision.
    """
    _lock(session, post)
    if post.status != PUBLISHED:
        raise ModerationError("Only a published post can be hidden.")
    reason = _clean_reason(reason, required=True)
    post.status = HIDDEN
    post.moderation_reason = reason
    post.flagged = False
    if post.thread.pinned_post_id == post.id:
        post.thread.pinned_post_id = None
    settled = _resolve_reports(session, post, actor)
    live.record_post(session, "post_hidden", post)
    log(session, group_id_of(post), actor, "hid post", post=post,
        target_user_id=post.author_id, reason=reason,
        details={"reports_resolved": settled} if settled else None)
    notifications.moderated(session, post, POST_HIDDEN, actor, reason)
    session.commit()


def restore(session: Session, post: Post, actor: User, reason: str = "") -> None:
    """Put a hidden (or rejected) post back in the thread and clear the reason."""
    from casebook.discussion.service import approve_post

    _lock(session, post)
    if post.status not in (HIDDEN, REJECTED):
        raise ModerationError("That post is not hidden.")
    approve_post(session, post)  # keeps a hidden post's number; numbers a rejected one
    post.flagged = False
    live.record_post(session, "post_restored", post)
    log(session, group_id_of(post), actor, "restored post", post=post,
        target_user_id=post.author_id, reason=_clean_reason(reason, required=False))
    notifications.moderated(session, post, POST_RESTORED, actor)
    session.commit()


def clear_flag(session: Session, post: Post, actor: User) -> None:
    """A moderator has read a flagged post and leaves it up."""
    if not post.flagged:
        raise ModerationError("That post is not flagged.")
    post.flagged = False
    log(session, group_id_of(post), actor, "cleared flag", post=post,
        target_user_id=post.author_id)
    session.commit()


# Reports --------------------------------------------------------------------

def report(session: Session, post: Post, reporter: User, reason: str, detail: str = "") -> Report:
    """One report per member per post. Raises AlreadyReported for a second one.

    Reports are not logged: the log records moderators' decisions. The queue
    shows them.
    """
    if reason not in REPORT_REASONS:
        raise ModerationError("Choose a reason.")
    detail = (detail or "").strip()[:MAX_REPORT_DETAIL]
    earlier = report_by(session, post, reporter)
    if earlier is not None:
        raise AlreadyReported(earlier)
    made = Report(post_id=post.id, reporter_id=reporter.id, reason=reason, detail=detail,
                  created_at=utcnow())
    session.add(made)
    try:
        session.flush()
        notifications.reported(session, post, reporter)
        session.commit()
    except IntegrityError:
        # The same report sent twice at once: the unique (post, reporter) pair
        # kept the first.
        session.rollback()
        raise AlreadyReported(report_by(session, post, reporter)) from None
    return made


def reported_by(session: Session, reporter: User, post_ids) -> set[int]:
    """Which of ``post_ids`` ``reporter`` has reported, in one query."""
    ids = set(post_ids)
    if not ids or not reporter.is_authenticated:
        return set()
    return set(session.scalars(
        select(Report.post_id).where(Report.reporter_id == reporter.id, Report.post_id.in_(ids))
    ))


def report_by(session: Session, post: Post, reporter: User) -> Report | None:
    return session.scalar(
        select(Report).where(Report.post_id == post.id, Report.reporter_id == reporter.id)
    )


def dismiss_reports(session: Session, post: Post, actor: User, reason: str = "") -> int:
    """Close every open report on ``post``, leaving the post as it is."""
    settled = _resolve_reports(session, post, actor)
    if not settled:
        raise ModerationError("Those reports have already been dealt with.")
    log(session, group_id_of(post), actor, "dismissed report", post=post,
        target_user_id=post.author_id, reason=_clean_reason(reason, required=False),
        details={"reports": settled})
    session.commit()
    return settled


# Threads --------------------------------------------------------------------

def _group_of_thread(thread: Thread) -> int:
    return thread.discussion.group_id


def lock(session: Session, thread: Thread, actor: User, reason: str = "") -> None:
    if thread.locked:
        raise ModerationError("That thread is already locked.")
    thread.locked = True
    log(session, _group_of_thread(thread), actor, "locked thread", thread=thread,
        reason=_clean_reason(reason, required=False))
    session.commit()


def unlock(session: Session, thread: Thread, actor: User, reason: str = "") -> None:
    if not thread.locked:
        raise ModerationError("That thread is not locked.")
    thread.locked = False
    log(session, _group_of_thread(thread), actor, "unlocked thread", thread=thread,
        reason=_clean_reason(reason, required=False))
    session.commit()


def pin(session: Session, thread: Thread, post: Post, actor: User) -> None:
    if post.thread_id != thread.id or post.status != PUBLISHED:
        raise ModerationError("Only a published post in this thread can be pinned.")
    thread.pinned_post_id = post.id
    log(session, _group_of_thread(thread), actor, "pinned post", post=post, thread=thread,
        target_user_id=post.author_id)
    session.commit()


def unpin(session: Session, thread: Thread, actor: User) -> None:
    if thread.pinned_post_id is None:
        raise ModerationError("No post is pinned in that thread.")
    post_id = thread.pinned_post_id
    post = session.get(Post, post_id)
    thread.pinned_post_id = None
    log(session, _group_of_thread(thread), actor, "unpinned post", post=post, thread=thread,
        target_user_id=post.author_id if post is not None else None)
    session.commit()


# Members --------------------------------------------------------------------

def mute(session: Session, target: Membership, actor: User, duration: str, reason: str,
         now: datetime | None = None) -> datetime:
    """Stop a member posting until now + duration; they can still read."""
    if duration not in MUTE_DURATIONS:
        raise ModerationError("Choose how long to mute for.")
    if not target.is_active:
        raise ModerationError("That person is no longer a member.")
    reason = _clean_reason(reason, required=True)
    title, delta = MUTE_DURATIONS[duration]
    target.muted_until = (now or utcnow()) + delta
    log(session, target.group_id, actor, "muted member", target_user_id=target.user_id,
        reason=reason, details={"duration": title,
                                "until": target.muted_until.isoformat(timespec="seconds")})
    session.commit()
    return target.muted_until


def unmute(session: Session, target: Membership, actor: User, reason: str = "",
           now: datetime | None = None) -> None:
    if not target.is_muted(now or utcnow()):
        raise ModerationError("That member is not muted.")
    target.muted_until = None
    log(session, target.group_id, actor, "unmuted member", target_user_id=target.user_id,
        reason=_clean_reason(reason, required=False))
    session.commit()


# Watched words --------------------------------------------------------------

def add_word(session: Session, group: Group, actor: User, phrase: str,
             action: str) -> WatchedWord:
    """Raises DuplicateWord when the group already watches the phrase, in any case."""
    if action not in WATCH_ACTIONS:
        raise ModerationError("Choose what happens.")
    phrase = normalise_phrase(phrase)
    if len(phrase) < 2:
        raise ModerationError("Enter at least 2 characters.")
    key = _fold(phrase)
    if any(_fold(w.phrase) == key for w in watched_words(session, group.id)):
        raise DuplicateWord("Already watched")
    word = WatchedWord(group_id=group.id, phrase=phrase, action=action, created_at=utcnow())
    session.add(word)
    log(session, group.id, actor, "added watched word",
        details={"phrase": phrase, "action": action})
    session.commit()
    return word


def remove_word(session: Session, word: WatchedWord, actor: User) -> None:
    log(session, word.group_id, actor, "removed watched word",
        details={"phrase": word.phrase, "action": word.action})
    session.delete(word)
    session.commit()


def word_in_group(session: Session, group_id: int, word_id: int) -> WatchedWord | None:
    return session.scalar(
        select(WatchedWord).where(WatchedWord.id == word_id, WatchedWord.group_id == group_id)
    )


# The queue ------------------------------------------------------------------




# The log --------------------------------------------------------------------
