from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from casebook.db import get_session
from casebook.forms import BaseForm
from casebook.notifications import service
from casebook.notifications.models import REPORT, Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


class _ActionForm(BaseForm):
    """No fields: marking read is a CSRF-protected POST."""


def target_url(notification: Notification) -> str:
    group_id = notification.group_id
    if notification.kind == REPORT and group_id is not None:
        return url_for("moderation.queue", group_id=group_id)
    if notification.post_id is not None:
        return url_for("discussion.permalink", group_id=group_id, post_id=notification.post_id)
    if notification.thread_id is not None:
        return url_for("discussion.thread", group_id=group_id, thread_id=notification.thread_id)
    if notification.discussion_id is not None:
        return url_for("discussion.view", group_id=group_id,
                       discussion_id=notification.discussion_id)
    return url_for("notifications.index")


@bp.route("/")
@login_required
def index():
    listing = service.page(get_session(), current_user)
    return render_template("notifications/index.html", listing=listing)


@bp.route("/<id:notification_id>/open", methods=["POST"])
@login_required
def open_one(notification_id: int):
    session = get_session()
    notification = service.get(session, current_user, notification_id)
    if notification is None or not _ActionForm().validate_on_submit():
        abort(404)
    service.mark_read(session, notification)
    return redirect(target_url(notification))


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    if _ActionForm().validate_on_submit():
        count = service.mark_all_read(get_session(), current_user)
        if count:
            flash("All notifications are marked as read.", "success")
    return redirect(url_for("notifications.index"))
