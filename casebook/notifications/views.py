from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from casebook.db import get_session
from casebook.extensions import csrf
from casebook.forms import BaseForm
from casebook.notifications import service
from casebook.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


class _ActionForm(BaseForm):
    """No fields: marking read is a CSRF-protected POST."""


def target_url(notification: Notification) -> str:
    endpoint, values = service.target(notification)
    return url_for(endpoint, **values)


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


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """The link in every notification email. GET asks; POST stops the emails.

    Exempt from CSRF because mail programs send the one-click POST
    (List-Unsubscribe-Post, RFC 8058) with no form token; the signed, expiring
    token in the address is what authorises it, and all it can do is stop mail.
    """
    session = get_session()
    user = service.user_for_unsubscribe(session, token)
    if user is None:
        return render_template("notifications/unsubscribe_invalid.html"), 404
    if request.method == "POST":
        service.unsubscribe(session, user)
        return render_template("notifications/unsubscribed.html", email=user.email)
    return render_template("notifications/unsubscribe.html", email=user.email, token=token)
