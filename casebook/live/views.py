"""Live streams (under /live/, so a reverse proxy can send them to the worker
type that holds idle connections cheaply) and the projector view."""

import segno
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from casebook import fragments, policy
from casebook.db import get_session, utcnow
from casebook.discussion.access import load_post, load_thread
from casebook.discussion.views import _discussion
from casebook.groups.access import load_group, require
from casebook.live import events as live
from casebook.live import projector, render, stream
from casebook.live.models import POST_KINDS, STAGE_OPENED
from casebook.moderation.forms import ActionForm
from casebook.polls import service as polls
from casebook.polls.models import PHASES

bp = Blueprint("live", __name__)


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

    def kind():
        group, membership = load_group(group_id)
        thread = load_thread(group, membership, thread_id)
        return render.viewer_kind(current_user, group, membership, thread, utcnow())

    def handle(events):
        group, membership = load_group(group_id)
        thread = load_thread(group, membership, thread_id)
        now = utcnow()
        # The stream puts each viewer's own token in place of the placeholder.
        posts = render.posts_for(
            current_user, group, membership, thread,
            [e.post_id for e in events if e.kind in POST_KINDS and e.thread_id == thread_id],
            csrf_token=fragments.csrf_placeholder() if token else None, now=now)
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

    return stream.response(discussion_id, group_id, handle, kind, csrf_token=token)


@bp.route("/live/groups/<id:group_id>/discussions/<id:discussion_id>")
def discussion_stream(group_id: int, discussion_id: int):
    """Stage openings of one discussion, for its page."""
    group, membership = load_group(group_id)
    _discussion(group, membership, discussion_id)

    def kind():
        group, membership = load_group(group_id)
        discussion = _discussion(group, membership, discussion_id)
        # What decides which stage notices the viewer gets.
        return ("discussion", getattr(current_user, "is_admin", False),
                membership and (membership.role, membership.status),
                group.archived_at is not None, discussion.state(utcnow()))

    def handle(events):
        group, membership = load_group(group_id)
        discussion = _discussion(group, membership, discussion_id)
        now = utcnow()
        return [_stage_message(e, membership, discussion, now) if e.kind == STAGE_OPENED
                else stream.message(e.id) for e in events]

    return stream.response(discussion_id, group_id, handle, kind)


# Projector ---------------------------------------------------------------------

def _join(group, now) -> tuple[str | None, str | None]:
    """The group's join code and a QR code (SVG markup, made here) of its invite link."""
    code = group.join_code
    if code is None or (group.join_code_expires_at and group.join_code_expires_at <= now):
        return None, None
    link = url_for("groups.join_link", code=code, _external=True)
    return code, segno.make(link, error="m").svg_inline(scale=6, border=2, dark="#000",
                                                         light="#fff")


def _screen_html(group, discussion) -> str:
    now = utcnow()
    return render_template("live/_screen.html", group=group, discussion=discussion,
                           screen=projector.screen(get_session(), group, discussion, now))


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/projector")
def projector_view(group_id: int, discussion_id: int):
    """Full-screen view for the room: live prompts, join code, answers, chosen posts."""
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_use_projector(current_user, membership))
    code, qr = _join(group, utcnow())
    after = live.last_id(get_session(), discussion.id)
    return render_template("live/projector.html", group=group, discussion=discussion,
                           code=code, qr=qr, screen_html=_screen_html(group, discussion),
                           after=after, polled=bool(polls.positions(get_session(), discussion)),
                           may_reveal=policy.may_reveal_poll_on_projector(current_user,
                                                                          membership))


@bp.route("/live/groups/<id:group_id>/discussions/<id:discussion_id>/projector")
def projector_stream(group_id: int, discussion_id: int):
    """The projector's screen, sent again whenever something on it may have changed."""
    group, membership = load_group(group_id)
    _discussion(group, membership, discussion_id)
    require(policy.may_use_projector(current_user, membership))

    def kind():
        group, membership = load_group(group_id)
        _discussion(group, membership, discussion_id)
        require(policy.may_use_projector(current_user, membership))
        return ("projector",)  # the screen faces the room: the same for every facilitator

    def handle(events):
        group, membership = load_group(group_id)
        discussion = _discussion(group, membership, discussion_id)
        require(policy.may_use_projector(current_user, membership))
        if not events:
            return []
        out = [stream.message(e.id) for e in events[:-1]]
        out.append(stream.message(events[-1].id, "screen",
                                  {"html": _screen_html(group, discussion)}))
        return out

    return stream.response(discussion_id, group_id, handle, kind)


def _projector_action(group_id: int, post_id: int, allowed, change, done: str):
    group, membership = load_group(group_id)
    post = load_post(group, membership, post_id)
    require(allowed(current_user, membership, post))
    if ActionForm().validate_on_submit():
        change(get_session(), post)
        flash(done, "success")
    else:
        flash("Please try again.", "error")
    return redirect(url_for("discussion.permalink", group_id=group.id, post_id=post.id))


@bp.route("/groups/<id:group_id>/posts/<id:post_id>/projector", methods=["POST"])
def show_on_projector(group_id: int, post_id: int):
    return _projector_action(group_id, post_id, policy.may_put_on_projector, projector.show,
                             "The post is on the projector screen.")


@bp.route("/groups/<id:group_id>/posts/<id:post_id>/projector/remove", methods=["POST"])
def take_down(group_id: int, post_id: int):
    return _projector_action(group_id, post_id, policy.may_take_off_projector,
                             projector.take_down,
                             "The post is no longer on the projector screen.")


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/projector/poll",
          methods=["POST"])
def reveal_poll(group_id: int, discussion_id: int):
    """Put the poll's counts on the projector screen, or take them off."""
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_reveal_poll_on_projector(current_user, membership))
    # CSRFProtect has checked the token before this runs.
    phase = request.form.get("show")
    if phase not in (*PHASES, "none") or not polls.positions(get_session(), discussion):
        abort(400)
    projector.reveal_poll(get_session(), discussion, None if phase == "none" else phase)
    # The projector page has no messages (it faces the room): the screen itself shows it.
    return redirect(url_for(".projector_view", group_id=group.id, discussion_id=discussion.id))
