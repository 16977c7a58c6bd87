"""One Server-Sent Events stream: replay from the log, then take what this
process's reader of the discussion hands on (casebook/live/fanout.py).

The stream holds no database connection and no request context while it
waits: each time it needs the database it opens a short request context of
its own (a fresh session, the viewer loaded again), so a server keeps many
open pages cheaply and a stream the server stops reading leaves nothing
behind. See README.md for the worker type that serves /live/.

Per new event, a stream does no query of its own when another stream of the
same viewer kind in this process has already rendered it: the viewer's kind
(role, post-first answered, time zone, names...) and their access are checked
when the stream starts, at every heartbeat (``HEARTBEAT_SECONDS``), at once
when their group or a membership of it changes, and whenever they render for
themselves. A removed member therefore stops receiving at the removal's
commit, and any other change to what they may see takes effect within one
heartbeat.
"""

import json
import random
import time
import weakref
from collections.abc import Callable, Hashable, Iterator

from flask import Response, current_app, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from casebook import fragments
from casebook.db import get_session
from casebook.ids import parse_id
from casebook.live import events as live
from casebook.live import fanout
from casebook.live.models import STAGE_OPENED

HEARTBEAT_SECONDS = 15.0
# A stream ends after this long (once it has sent what the log holds) and the
# browser reconnects with Last-Event-ID: nothing is lost, and a worker's
# connections turn over. Tests set LIVE_STREAM_SECONDS = 0: replay, then end.
STREAM_SECONDS = 600.0
RETRY_MS = 2000


def start_id() -> int:
    """Where a (re)connecting stream resumes: Last-Event-ID, else ``?after=``."""
    return (parse_id(request.headers.get("Last-Event-ID"))
            or parse_id(request.args.get("after")) or 0)


def message(event_id: int, kind: str | None = None, data: dict | None = None) -> str:
    """One SSE message; with no data it only moves the browser's last event id on."""
    lines = [f"id: {event_id}"]
    if kind is not None:
        lines += [f"event: {kind}", "data: " + json.dumps(data, separators=(",", ":"))]
    return "\n".join(lines) + "\n\n"


class _Gone(Exception):
    """The viewer may no longer see what the stream shows."""


def response(discussion_id: int, group_id: int, handle: Callable[[list], list[str]],
             kind: Callable[[], Hashable | None], csrf_token: str | None = None) -> Response:
    """The view's answer: the discussion's events after the resume point, as
    text/event-stream, until ``LIVE_STREAM_SECONDS`` have passed.

    Both callables run in a request context of its own and raise the page's
    HTTPException when the viewer's access is gone, which ends the stream.
    ``handle(events)`` gives one message per event; where it places a CSRF
    token it writes ``fragments.csrf_placeholder()``, and the stream puts
    ``csrf_token`` there. ``kind()`` names everything about the viewer that
    the messages depend on, other than being the author or a reporter of a
    post in them: two viewers of one kind get the same text. None: never share.
    """
    last = start_id()
    app = current_app._get_current_object()
    environ = request.environ
    viewer_id = current_user.id
    lifetime = app.config.get("LIVE_STREAM_SECONDS", STREAM_SECONDS)
    placeholder = fragments.csrf_placeholder()
    hub = fanout.join(app, discussion_id, group_id)
    seq, access_seen = hub.next_seq, hub.access_changes
    get_session().close()

    def in_context(work):
        with app.request_context(environ):
            try:
                return work()
            except HTTPException as gone:
                raise _Gone from gone

    def look(after: int) -> tuple[str | None, int]:
        def work():
            batch = live.after(get_session(), discussion_id, after)
            return ("".join(handle(batch)), batch[-1].id) if batch else (None, after)
        return in_context(work)

    def render(events) -> tuple[Hashable | None, str]:
        return in_context(lambda: (kind(), "".join(handle(events))))

    def deliver(batch: fanout.Batch, events, mine) -> tuple[str, Hashable | None]:
        if any(e.kind == STAGE_OPENED for e in events):
            mine = in_context(kind)  # the discussion's state, part of the kind, moved on
        if mine is None or viewer_id in batch.involved:
            mine, text = render(events)
            return text, mine
        entry, maker = batch.claim((mine, events[0].id))
        if maker:
            try:
                fresh, text = render(events)
                # Shared only when made for the kind the others were told it is.
                if fresh == mine:
                    entry.text = text
            finally:
                entry.done.set()
            return text, fresh
        entry.done.wait(30)
        if entry.text is None:
            mine, text = render(events)
            return text, mine
        return entry.text, mine

    def body(last: int, seq: int, access_seen: int) -> Iterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        started = time.monotonic()
        # Pages opened together (a lecture hall) would otherwise re-check all at
        # once every heartbeat and hold up the posts behind them: spread them.
        # A spread in time, not a secret: random is fine here.
        beat = started + HEARTBEAT_SECONDS * random.uniform(0.5, 1.0)  # nosec B311
        try:
            while True:
                chunk, last = look(last)
                if chunk is None:
                    break
                yield chunk.replace(placeholder, csrf_token or "")
            mine = in_context(kind)
            end = started + lifetime
            while time.monotonic() < end:
                batches = hub.wait(seq, access_seen,
                                   max(0.0, min(beat, end) - time.monotonic()))
                if batches is None:
                    # Fell behind what the hub keeps: read the log again, as at the start.
                    seq = hub.next_seq
                    while True:
                        chunk, last = look(last)
                        if chunk is None:
                            break
                        yield chunk.replace(placeholder, csrf_token or "")
                    continue
                if hub.access_changes != access_seen:
                    access_seen = hub.access_changes
                    mine = in_context(kind)
                for batch in batches:
                    seq = batch.seq + 1
                    events = [e for e in batch.events if e.id > last]
                    if events:
                        text, mine = deliver(batch, events, mine)
                        last = events[-1].id
                        yield text.replace(placeholder, csrf_token or "")
                if time.monotonic() >= beat:
                    beat = time.monotonic() + HEARTBEAT_SECONDS
                    mine = in_context(kind)
                    yield ": heartbeat\n\n"
        except _Gone:
            return

    left = []

    def leave() -> None:
        if not left:
            left.append(True)
            fanout.leave(hub)

    messages = body(last, seq, access_seen)
    # A body dropped unread and never closed (a client that got its answer
    # and went) must not keep the reader going either.
    weakref.finalize(messages, leave)
    answer = Response(messages, mimetype="text/event-stream")
    answer.headers["Cache-Control"] = "no-cache"
    # nginx would otherwise buffer the stream and deliver it late, in lumps.
    answer.headers["X-Accel-Buffering"] = "no"
    # On close, not in the body: a body never started runs no ``finally``.
    answer.call_on_close(leave)
    return answer
