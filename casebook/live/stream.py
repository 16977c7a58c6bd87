"""One Server-Sent Events stream: replay from the log, then wait to be woken.

The stream holds no database connection while it waits (each look is a short
transaction), so a server can keep many open pages cheaply; see README.md for
the worker type that serves /live/.
"""

import json
import time
from collections.abc import Callable, Iterator

from flask import current_app, request
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


def run(discussion_id: int, last: int,
        handle: Callable[[list], list[str]]) -> Iterator[str]:
    """The stream's body. ``handle(events)`` reloads the viewer's access (raising
    the page's HTTPException when it is gone, which ends the stream) and gives
    one message per event; it is also called with no events at each heartbeat,
    so a member removed from the group stops receiving."""
    waker = current_app.extensions["casebook.live"]
    lifetime = current_app.config.get("LIVE_STREAM_SECONDS", STREAM_SECONDS)
    yield f"retry: {RETRY_MS}\n\n"
    started = time.monotonic()
    beat = started + HEARTBEAT_SECONDS
    session = get_session()
    try:
        while True:
            seen = waker.generation(discussion_id)
            batch = live.after(session, discussion_id, last)
            if batch:
                out = handle(batch)
                session.close()  # back to the pool before writing to a slow client
                last = batch[-1].id
                yield "".join(out)
                continue
            if time.monotonic() - started >= lifetime:
                return
            if time.monotonic() >= beat:
                handle([])
                beat = time.monotonic() + HEARTBEAT_SECONDS
                session.close()
                yield ": heartbeat\n\n"
                continue
            session.close()
            waker.wait(discussion_id, seen, max(0.0, beat - time.monotonic()))
    except HTTPException:
        return
    finally:
        session.close()
