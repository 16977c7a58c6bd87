"""The facilitator's "Stakeholder roles" page of a discussion."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casebook import policy
from casebook.db import get_session
from casebook.deliberation import service
from casebook.deliberation.forms import chosen_roles, roles_form
from casebook.discussion.thread_reading import author_label
from casebook.discussion.views import _discussion
from casebook.groups.access import load_group, require

bp = Blueprint("deliberation", __name__)


def _label_for(discussion, membership):
    """Participants named as the facilitator sees them elsewhere in the
    discussion: pseudonyms in a pseudonymous one (``author_label``)."""
    real_names = policy.may_see_real_names(current_user, membership, discussion)
    return lambda member: author_label(member.user, member, discussion,
                                       real_names=real_names).name


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/roles",
          methods=["GET", "POST"])
def roles(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_assign_roles(current_user, membership))
    session = get_session()
    members = service.participants(session, discussion)
    current = service.roles(session, discussion)
    label_of = _label_for(discussion, membership)
    data = {f"role-{m.id}": current.get(m.id, "") for m in members}
    form = roles_form(discussion.case, members, label_of,
                      formdata=request.form if request.method == "POST" else None,
                      data=None if request.method == "POST" else data)
    if request.method == "POST" and form.validate_on_submit():
        service.assign_roles(session, discussion, chosen_roles(form))
        flash("The stakeholder roles are saved.", "success")
        return redirect(url_for(".roles", group_id=group.id, discussion_id=discussion.id))
    return render_template(
        "deliberation/roles.html", group=group, membership=membership, discussion=discussion,
        form=form, members=members, stakeholders=service.stakeholders(discussion.case),
    ), 422 if form.errors else 200


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/roles/random",
          methods=["POST"])
def assign_at_random(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_assign_roles(current_user, membership))
    # CSRFProtect has checked the token before this runs.
    chosen = service.assign_at_random(get_session(), discussion)
    if chosen:
        flash(f"Roles assigned at random to {len(chosen)} "
              f"{'participant' if len(chosen) == 1 else 'participants'}.", "success")
    else:
        flash("There is nobody to give a role to yet.", "info")
    return redirect(url_for(".roles", group_id=group.id, discussion_id=discussion.id))
