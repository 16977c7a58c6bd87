from flask import Blueprint, render_template
from flask_login import current_user, login_required

from casebook.db import get_session
from casebook.groups import service

bp = Blueprint("groups", __name__)


@bp.route("/groups/")
@login_required
def my_groups():
    return render_template(
        "groups/my_groups.html", memberships=service.my_groups(get_session(), current_user)
    )
