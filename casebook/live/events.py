"""The live event log and what wakes the streams reading it.

Write paths call ``record`` in the transaction of their change, so an event
exists exactly when the change does. The log is the truth: a stream reads
"this discussion's events after the last id it sent", and the SSE ``id:`` is
the row's id, so a reconnect with ``Last-Event-ID`` resumes with nothing lost
or repeated. Wakers only say "look again": Redis pub/sub (one channel per
discussion) when ``CASEBOOK_REDIS_URL`` is set, so every app server hears every
commit; otherwise a condition variable in this process, and streams also look
again every ``POLL_SECONDS`` to see commits made by other processes.

A wake-up names a key: ``discussion_key(id)`` when a discussion's log grew,
``group_key(id)`` when a group or one of its memberships changed (open streams
of that group re-check their viewer's access at once rather than at the next
heartbeat).
"""

import contextlib
import threading

from flask import current_app
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from casebook.groups.models import Group, Membership
from casebook.live.models import LiveEvent

_PENDING = "casebook.live.keys"
# Without Redis a stream cannot hear another process's commit; it looks again this often.
POLL_SECONDS = 2.0


def record(session: Session, kind: str, *, group_id: int, discussion_id: int,
           thread_id: int | None = None, post_id: int | None = None,
           detail: str | None = None) -> None:
    """Log one change for open pages; streams are woken when the transaction commits."""
    session.add(LiveEvent(group_id=group_id, discussion_id=discussion_id, thread_id=thread_id,
                          post_id=post_id, kind=kind, detail=detail))
    session.info.setdefault(_PENDING, set()).add(discussion_key(discussion_id))


def discussion_key(discussion_id: int) -> str:
    return f"d{discussion_id}"


def group_key(group_id: int) -> str:
    return f"g{group_id}"


def record_post(session: Session, kind: str, post) -> None:
    """``record`` for a change to ``post`` (its thread and discussion already loaded)."""
    if post.id is None:
        session.flush()
    thread = post.thread
    record(session, kind, group_id=thread.discussion.group_id,
           discussion_id=thread.discussion_id, thread_id=thread.id, post_id=post.id)


def last_id(session: Session, discussion_id: int) -> int:
    """The newest event of the discussion: a page rendered now shows everything up to it."""
    return session.scalar(select(last_id_column(discussion_id)))


def last_id_column(discussion_id: int | ColumnElement) -> ColumnElement:
    """``last_id`` as a scalar subquery, for a page that folds it into its own query."""
    return (select(func.coalesce(func.max(LiveEvent.id), 0))
            .where(LiveEvent.discussion_id == discussion_id).scalar_subquery())


def after(session: Session, discussion_id: int, last: int, limit: int = 100) -> list[LiveEvent]:
    """The discussion's events after id ``last``, oldest first."""
    return list(session.scalars(
        select(LiveEvent).where(LiveEvent.discussion_id == discussion_id, LiveEvent.id > last)
        .order_by(LiveEvent.id).limit(limit)))


@event.listens_for(Session, "after_flush")
def _note_access_changes(session: Session, _context) -> None:
    # A new membership changes nobody's open stream (a lecture's joins would
    # otherwise have every stream re-check hundreds of times); a changed or
    # removed one, or an archived group, does.
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Membership):
            session.info.setdefault(_PENDING, set()).add(group_key(obj.group_id))
        elif isinstance(obj, Group) and inspect(obj).attrs.archived_at.history.has_changes():
            session.info.setdefault(_PENDING, set()).add(group_key(obj.id))


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    keys = session.info.pop(_PENDING, None)
    if keys:
        with contextlib.suppress(RuntimeError):  # no app: nothing is listening
            current_app.extensions["casebook.live"].publish(keys)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


class LocalWaker:
    """Streams of this process wait here; a commit here (or a Redis message) wakes them."""

    poll_seconds: float | None = POLL_SECONDS

    def __init__(self):
        self._condition = threading.Condition()
        self._generations: dict[str, int] = {}

    def generations(self, keys) -> tuple[int, ...]:
        return tuple(self._generations.get(key, 0) for key in keys)

    def wake(self, keys) -> None:
        with self._condition:
            for key in keys:
                self._generations[key] = self._generations.get(key, 0) + 1
            self._condition.notify_all()

    def wait(self, keys, seen: tuple[int, ...], timeout: float) -> tuple[int, ...]:
        """Until a generation of ``keys`` moves past ``seen`` or ``timeout``; the new ones."""
        if self.poll_seconds is not None:
            timeout = min(timeout, self.poll_seconds)
        with self._condition:
            self._condition.wait_for(lambda: self.generations(keys) != seen, timeout)
            return self.generations(keys)

    def publish(self, keys) -> None:
        self.wake(keys)


class RedisWaker(LocalWaker):
    """Publishes each commit on ``<prefix>live:<key>``; one listener
    thread per process turns the messages into local wake-ups."""

    # A stream still looks again now and then, in case a message was lost
    # while Redis was away; messages are the normal path.
    poll_seconds = 15.0

    def __init__(self, url: str, prefix: str):
        super().__init__()
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2)
        # The listener waits for messages indefinitely; the health check notices
        # a dead connection instead.
        self._subscriber = redis.Redis.from_url(url, health_check_interval=30)
        self._errors = (redis.RedisError, OSError)
        self._channel = prefix + "live:"
        self._listener: threading.Thread | None = None
        self._started = threading.Lock()

    def publish(self, keys) -> None:
        for key in keys:
            try:
                self._redis.publish(f"{self._channel}{key}", b"")
            except self._errors:
                # Redis away: this process's streams still hear it; others poll.
                self.wake([key])

    def wait(self, keys, seen: tuple[int, ...], timeout: float) -> tuple[int, ...]:
        self._start_listener()
        return super().wait(keys, seen, timeout)

    def _start_listener(self) -> None:
        with self._started:
            if self._listener is None or not self._listener.is_alive():
                self._listener = threading.Thread(target=self._listen, daemon=True,
                                                  name="casebook-live-listener")
                self._listener.start()

    def _listen(self) -> None:
        import time

        while True:
            try:
                pubsub = self._subscriber.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(self._channel + "*")
                for message in pubsub.listen():
                    name = message.get("channel", b"").decode()
                    self.wake([name[len(self._channel):]])
            except self._errors:
                time.sleep(1)


def init_app(app) -> None:
    if app.config.get("REDIS_URL"):
        prefix = app.config.get("RATELIMIT_KEY_PREFIX", "") + "casebook:"
        app.extensions["casebook.live"] = RedisWaker(app.config["REDIS_URL"], prefix)
    else:
        app.extensions["casebook.live"] = LocalWaker()
