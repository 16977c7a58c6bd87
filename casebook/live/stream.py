"""One Server-Sent Events stream: replay from the log, then wait to be woken.

The stream holds no database connection and no request context while it
waits: each look at the log is a short request context of its own (a fresh
session, the viewer loaded again), so a server keeps many open pages cheaply
and a stream the server stops reading leaves nothing behind. See README.md for
the worker type that serves /live/.
"""

import json
import time
from collections.abc import Callable, Iterator

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

from casebook.db import get_session
from casebook.ids import parse_id
from casebook.live import events as live

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


def response(discussion_id: int, handle: Callable[[list], list[str]]) -> Response:
    """The view's answer: the discussion's events after the resume point, as
    text/event-stream, until ``LIVE_STREAM_SECONDS`` have passed.

    ``handle(events)`` runs in a request context of its own, reloads the
    viewer's access (raising the page's HTTPException when it is gone, which
    ends the stream) and gives one message per event. It is also called with
    no events at each heartbeat, so a member removed from the group stops
    receiving even when nothing happens.
    """
    last = start_id()
    get_session().close()
    app = current_app._get_current_object()
    environ = request.environ
    waker = app.extensions["casebook.live"]
    lifetime = app.config.get("LIVE_STREAM_SECONDS", STREAM_SECONDS)

    def look(after: int) -> tuple[str | None, int]:
        with app.request_context(environ):
            try:
                batch = live.after(get_session(), discussion_id, after)
                if not batch:
                    handle([])
                    return None, after
                return "".join(handle(batch)), batch[-1].id
            except HTTPException as gone:
                raise _Gone from gone

    def body(last: int) -> Iterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        started = time.monotonic()
        beat = started + HEARTBEAT_SECONDS
        try:
            while True:
                seen = waker.generation(discussion_id)
                chunk, last = look(last)
                if chunk is not None:
                    yield chunk
                    continue
                if time.monotonic() - started >= lifetime:
                    return
                if time.monotonic() >= beat:
                    beat = time.monotonic() + HEARTBEAT_SECONDS
                    yield ": heartbeat\n\n"
                    continue
                waker.wait(discussion_id, seen, max(0.0, beat - time.monotonic()))
        except _Gone:
            return

    answer = Response(body(last), mimetype="text/event-stream")
    answer.headers["Cache-Control"] = "no-cache"
    # nginx would otherwise buffer the stream and deliver it late, in lumps.
    answer.headers["X-Accel-Buffering"] = "no"
    return answer
