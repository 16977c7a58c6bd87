"""One reader per discussion per process, handing each batch of new events to
every open stream of that discussion.

A thousand open pages of one discussion would otherwise each query the log
when woken. Here a single reader (a thread; a greenlet under gevent) waits to
be woken, reads the discussion's new events once and appends them as a
``Batch``; streams take the batches after the one they joined at. A batch
also carries what streams share: the ids of the people it concerns (authors
and reporters of its posts, who get markup of their own) and the renderings
made for each viewer kind, so each distinct markup is made once per batch in
this process.

What callers may rely on: ``join`` returns a hub whose batches, from
``hub.next_seq`` at the moment of joining, hold every event the reader finds
after its cursor; an event committed before the join is in the log for the
stream's own replay. A stream that falls more than ``KEPT`` batches behind
gets ``None`` from ``wait`` and reads the log itself again.
"""

import threading
from dataclasses import dataclass, field

from sqlalchemy import select

from casebook.db import get_session
from casebook.discussion.models import Post
from casebook.live import events as live
from casebook.live.models import POST_KINDS
from casebook.moderation.models import Report

# Batches a hub keeps for streams still working through earlier ones.
KEPT = 64
# Events per read: a stream far behind reads the rest in the next batches.
READ_LIMIT = 500


@dataclass(frozen=True)
class Event:
    """A log row, detached from any session so every stream may read it."""

    id: int
    kind: str
    thread_id: int | None
    post_id: int | None
    detail: str | None


class Shared:
    """One viewer kind's rendering of a batch; ``text`` None if it could not be shared."""

    def __init__(self):
        self.done = threading.Event()
        self.text: str | None = None


@dataclass
class Batch:
    seq: int
    events: list[Event]
    involved: frozenset[int]
    shared: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, kind) -> tuple[Shared, bool]:
        """The rendering for ``kind`` and whether the caller is the one to make it."""
        with self.lock:
            entry = self.shared.get(kind)
            if entry is not None:
                return entry, False
            entry = self.shared[kind] = Shared()
            return entry, True


class Hub:
    def __init__(self, app, discussion_id: int, group_id: int, cursor: int):
        self.app = app
        self.discussion_id = discussion_id
        self.keys = (live.discussion_key(discussion_id), live.group_key(group_id))
        self.cursor = cursor
        self.next_seq = 0
        # Goes up when the group or a membership of it changes: streams re-check access.
        self.access_changes = 0
        self.streams = 0
        self.reader = threading.Thread(target=self.run, args=(app.extensions["casebook.live"],),
                                       daemon=True, name=f"casebook-live-{discussion_id}")
        self._batches: list[Batch] = []
        self._condition = threading.Condition()

    def wait(self, seq: int, access_seen: int, timeout: float) -> list[Batch] | None:
        """The batches from ``seq`` on, once there is one, access changed or
        ``timeout`` passed; None when some of them are no longer kept."""
        with self._condition:
            self._condition.wait_for(
                lambda: self.next_seq > seq or self.access_changes != access_seen, timeout)
            if self._batches and self._batches[0].seq > seq:
                return None
            return [b for b in self._batches if b.seq >= seq]

    def _read(self) -> Batch | None:
        with self.app.app_context():
            session = get_session()
            rows = live.after(session, self.discussion_id, self.cursor, limit=READ_LIMIT)
            if not rows:
                return None
            events = [Event(r.id, r.kind, r.thread_id, r.post_id, r.detail) for r in rows]
            post_ids = {e.post_id for e in events if e.kind in POST_KINDS}
            involved = set()
            if post_ids:
                involved.update(session.scalars(select(Post.author_id)
                                                .where(Post.id.in_(post_ids))))
                involved.update(session.scalars(select(Report.reporter_id)
                                                .where(Report.post_id.in_(post_ids))))
        self.cursor = events[-1].id
        return Batch(0, events, frozenset(involved))

    def _append(self, batch: Batch | None, access_changed: bool) -> None:
        if batch is None and not access_changed:
            return
        with self._condition:
            if batch is not None:
                batch.seq = self.next_seq
                self.next_seq += 1
                self._batches = [*self._batches[-(KEPT - 1):], batch]
            if access_changed:
                self.access_changes += 1
            self._condition.notify_all()

    def run(self, waker) -> None:
        seen = waker.generations(self.keys)
        while True:
            with _registry_lock:
                if self.streams == 0:
                    if _hubs.get((id(self.app), self.discussion_id)) is self:
                        del _hubs[(id(self.app), self.discussion_id)]
                    return
            try:
                batch = self._read()
            except Exception:  # the database away: log it, look again when woken
                self.app.logger.exception("live reader of discussion %s", self.discussion_id)
                batch = None
            self._append(batch, False)
            if batch is not None and len(batch.events) == READ_LIMIT:
                continue
            now = waker.wait(self.keys, seen, 15.0)
            self._append(None, now[1] != seen[1])
            seen = now


_hubs: dict[tuple[int, int], Hub] = {}
_registry_lock = threading.Lock()


def join(app, discussion_id: int, group_id: int) -> Hub:
    """This process's hub of the discussion (started if need be), counting one more stream.

    Call inside the stream's request context; pair with ``leave``."""
    key = (id(app), discussion_id)
    with _registry_lock:
        hub = _hubs.get(key)
        latest = live.last_id(get_session(), discussion_id)
        # A log that went back (rows deleted under it, as when tests empty the
        # database) would leave the reader waiting for ids it has passed.
        if hub is None or not hub.reader.is_alive() or latest < hub.cursor:
            hub = _hubs[key] = Hub(app, discussion_id, group_id, latest)
            hub.reader.start()
        hub.streams += 1
        return hub


def leave(hub: Hub) -> None:
    with _registry_lock:
        hub.streams -= 1
