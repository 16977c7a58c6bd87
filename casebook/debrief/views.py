"""The debrief page and marking key contributions. Every URL starts with the
group: ``load_group`` answers 404 to outsiders first."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from casebook import policy
from casebook.db import get_session, utcnow
from casebook.debrief import service
from casebook.debrief.forms import DebriefForm
from casebook.deliberation import service as deliberation
from casebook.discussion import reading, thread_reading
from casebook.discussion import service as discussion_service
from casebook.discussion.models import Post, Thread
from casebook.discussion.views import _discussion
from casebook.groups.access import load_group, require
from casebook.polls import chart
from casebook.polls import service as polls
from casebook.polls.models import AFTER, BEFORE, SCALE

bp = Blueprint("debrief", __name__)


@bp.context_processor
def _helpers():
    return {"excerpt": discussion_service.excerpt, "scale": SCALE}


def _poll_summary(session, discussion) -> dict | None:
    """Counts and shifts per polled statement, as the poll results page draws
    them, without anyone's reasons; None when the case polls nothing."""
    polled = polls.positions(session, discussion)
    if not polled:
        return None
    before = polls.distribution(session, discussion, BEFORE)
    after = polls.distribution(session, discussion, AFTER)
    return {"polled": polled, "before": before, "after": after,
            "moved": polls.shifts(session, discussion),
            "charts": {p.id: chart.before_after(before[p.id], after[p.id]) for p in polled}}


def _post_url(group_id: int, post: Post) -> str:
    return (url_for("discussion.thread", group_id=group_id, thread_id=post.thread_id,
                    page=thread_reading.page_of(post)) + f"#post-{post.id}")


def _labels(group, membership, discussion, posts):
    members = reading.members_by_user(get_session(), group.id, [p.author_id for p in posts])
    real_names = policy.may_see_real_names(current_user, membership, discussion)
    return {post.id: thread_reading.author_label(
        post.author, members.get(post.author_id), discussion, real_names=real_names,
        role=post.author_role) for post in posts}


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/debrief",
          methods=["GET", "POST"])
def debrief(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    session = get_session()
    record = service.debrief_for(session, discussion)
    may_write = policy.may_write_debrief(current_user, membership, discussion)
    if not policy.may_view_debrief(current_user, membership, record is not None and record.shared):
        abort(404)
    form = DebriefForm(obj=record) if may_write else None
    if request.method == "POST":
        require(may_write)
        if form.validate():
            try:
                service.save_debrief(session, discussion, current_user,
                                     summary=form.summary.data or "", shared=form.shared.data)
            except service.DebriefRefused as refused:
                form.summary.errors.append(str(refused))
            else:
                flash("Debrief saved. " + ("Every member of the group can open it."
                                           if form.shared.data else
                                           "Only facilitators and moderators can see it."),
                      "success")
                return redirect(url_for(".debrief", group_id=group.id,
                                        discussion_id=discussion.id))
    if record is None and not may_write and not policy.is_moderator(current_user, membership):
        abort(404)
    key_posts = service.key_contributions(session, discussion)
    shows_figures = record is not None or may_write
    return render_template(
        "debrief/debrief.html", group=group, membership=membership, discussion=discussion,
        case=discussion.case, record=record, form=form, state=discussion.state(utcnow()),
        figures=service.figures(session, group, discussion) if shows_figures else None,
        poll=_poll_summary(session, discussion) if shows_figures else None,
        coverage=deliberation.coverage(session, discussion) if shows_figures else None,
        key_posts=key_posts, labels=_labels(group, membership, discussion, key_posts),
        post_url=lambda post: _post_url(group.id, post),
    ), 422 if form is not None and form.errors else 200


@bp.route("/groups/<id:group_id>/posts/<id:post_id>/key", methods=["POST"])
def mark_key(group_id: int, post_id: int):
    group, membership = load_group(group_id)
    # Only facilitators have this form; to anyone else the URL does not exist,
    # so it cannot tell a participant whether a post they may not see exists.
    if not policy.may_mark_key_contributions(current_user, membership):
        abort(404)
    session = get_session()
    post = session.get(Post, post_id, options=[
        joinedload(Post.thread).joinedload(Thread.discussion)])
    if post is None or post.thread.discussion.group_id != group.id:
        abort(404)
    key = request.form.get("key") == "1"
    try:
        changed = service.mark_key(session, post, current_user, key=key)
    except service.DebriefRefused as refused:
        flash(str(refused), "error")
    else:
        if changed:
            flash("Marked as a key contribution for the debrief." if key
                  else "No longer a key contribution.", "success")
    return redirect(_post_url(group.id, post))
