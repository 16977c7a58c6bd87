"""Live streams (under /live/, so a reverse proxy can send them to the worker
type that holds idle connections cheaply) and the projector view."""

from flask import Blueprint, Response, stream_with_context
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from casebook import policy
from casebook.db import get_session, utcnow
from casebook.discussion.access import load_thread
from casebook.discussion.views import _discussion
from casebook.groups.access import load_group
from casebook.live import render, stream
from casebook.live.models import POST_KINDS, STAGE_OPENED

bp = Blueprint("live", __name__)


def _event_stream(body) -> Response:
    response = Response(stream_with_context(body), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    # nginx would otherwise buffer the stream and deliver it late, in lumps.
    response.headers["X-Accel-Buffering"] = "no"
    return response


def _stage_message(event, membership, discussion, now) -> str:
    notice = render.stage_notice(current_user, membership, discussion, event.detail, now)
    return stream.message(event.id, "stage", notice) if notice else stream.message(event.id)


@bp.route("/live/groups/<id:group_id>/threads/<id:thread_id>")
def thread_stream(group_id: int, thread_id: int):
    """New and changed posts of one thread, and stage openings of its discussion."""
    group, membership = load_group(group_id)
    thread = load_thread(group, membership, thread_id)
    token = generate_csrf() if policy.may_moderate(current_user, membership) else None
    discussion_id = thread.discussion_id

    def handle(events):
        group, membership = load_group(group_id)
        thread = load_thread(group, membership, thread_id)
        now = utcnow()
        posts = render.posts_for(
            current_user, group, membership, thread,
            [e.post_id for e in events if e.kind in POST_KINDS and e.thread_id == thread_id],
            csrf_token=token, now=now)
        out = []
        for event in events:
            if event.kind in POST_KINDS and event.post_id in posts:
                number, html = posts[event.post_id]
                out.append(stream.message(event.id, "post", {
                    "id": event.post_id, "number": number, "html": html,
                    "kind": event.kind}))
            elif event.kind == STAGE_OPENED:
                out.append(_stage_message(event, membership, thread.discussion, now))
            else:
                out.append(stream.message(event.id))
        return out

    last = stream.start_id()
    get_session().close()
    return _event_stream(stream.run(discussion_id, last, handle))


@bp.route("/live/groups/<id:group_id>/discussions/<id:discussion_id>")
def discussion_stream(group_id: int, discussion_id: int):
    """Stage openings of one discussion, for its page."""
    group, membership = load_group(group_id)
    _discussion(group, membership, discussion_id)

    def handle(events):
        group, membership = load_group(group_id)
        discussion = _discussion(group, membership, discussion_id)
        now = utcnow()
        return [_stage_message(e, membership, discussion, now) if e.kind == STAGE_OPENED
                else stream.message(e.id) for e in events]

    last = stream.start_id()
    get_session().close()
    return _event_stream(stream.run(discussion_id, last, handle))
