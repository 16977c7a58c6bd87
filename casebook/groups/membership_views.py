"""Members and joining: the members page (roles, removing, re-admitting), join
requests, and joining with a code or an invite link. Routes on the groups
blueprint, with the same rule as every group page: ``load_group`` first.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from casebook import policy
from casebook.db import get_session
from casebook.groups import joining, service
from casebook.groups.access import active_member_or_404, load_group, require
from casebook.groups.forms import ButtonForm, DecisionForm, JoinForm, RemoveForm, RoleForm
from casebook.groups.joining import INVALID_CODE
from casebook.groups.models import ROLES, Group, JoinRequest, Membership
from casebook.groups.service import GroupError
from casebook.groups.views import _status, bp
from casebook.limits import join_code, join_code_posts

# Members ---------------------------------------------------------------------

def _members_page(group: Group, membership: Membership | None, status: int = 200):
    return render_template(
        "groups/members.html", group=group, membership=membership,
        members=service.active_members(get_session(), group), roles=ROLES,
        removed=(service.removed_members(get_session(), group)
                 if policy.may_manage_group(current_user, membership) else []),
    ), status


def _refused(group: Group, membership: Membership | None, message: str, status: int):
    """The members page again, saying why the change was not made."""
    flash(message, "error")
    return _members_page(group, membership, status=status)


def _member_for(group_id: int, member_id: int, allowed):
    """The group, the viewer's membership and the member ``allowed`` lets them change."""
    group, membership = load_group(group_id)
    target = active_member_or_404(group, member_id)
    require(allowed(current_user, membership, target))
    return group, membership, target


@bp.route("/groups/<id:group_id>/members")
def members(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_view_members(current_user, membership))
    return _members_page(group, membership)


@bp.route("/groups/<id:group_id>/members/<id:member_id>/role", methods=["POST"])
def change_role(group_id: int, member_id: int):
    group, membership, target = _member_for(group_id, member_id, policy.may_change_role)
    form = RoleForm()
    if not form.validate_on_submit():
        return _refused(group, membership, "Choose facilitator, moderator or participant.", 422)
    name = target.user.display_name
    try:
        changed = service.set_role(get_session(), group, target, form.role.data,
                                   actor=current_user)
    except GroupError as error:
        return _refused(group, membership, str(error), 409)
    if changed:
        flash(f"{name} is now a {target.role_title.lower()}.", "success")
    else:
        flash(f"{name} is already a {target.role_title.lower()}.", "info")
    if not policy.may_view_members(current_user, membership):
        # They demoted themselves and can no longer see the list.
        return redirect(url_for(".overview", group_id=group.id))
    return redirect(url_for(".members", group_id=group.id))


@bp.route("/groups/<id:group_id>/members/<id:member_id>/remove", methods=["POST"])
def remove_member(group_id: int, member_id: int):
    group, membership, target = _member_for(group_id, member_id, policy.may_remove_member)
    form = RemoveForm()
    if not form.validate_on_submit():
        return _refused(group, membership, "Keep the reason to 500 characters or fewer.", 422)
    name = target.user.display_name
    try:
        service.remove_member(get_session(), target, actor=current_user,
                              reason=form.reason.data or "")
    except GroupError as error:
        return _refused(group, membership, str(error), 409)
    flash(f"{name} has been removed from the group and can no longer see it.", "success")
    return redirect(url_for(".members", group_id=group.id))


@bp.route("/groups/<id:group_id>/members/<id:member_id>/readmit", methods=["POST"])
def readmit(group_id: int, member_id: int):
    group, membership = load_group(group_id)
    require(policy.may_manage_group(current_user, membership))
    target = get_session().get(Membership, member_id)
    if target is None or target.group_id != group.id:
        abort(404)
    require(policy.may_readmit_member(current_user, membership, target))
    if ButtonForm().validate_on_submit():
        service.readmit(get_session(), target, current_user)
        flash(f"{target.user.display_name} is a participant again.", "success")
    return redirect(url_for(".members", group_id=group.id))


# Join requests ---------------------------------------------------------------

@bp.route("/groups/<id:group_id>/requests")
def requests(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_manage_group(current_user, membership))
    return render_template("groups/requests.html", group=group, membership=membership,
                           pending=joining.pending_requests(get_session(), group))


@bp.route("/groups/<id:group_id>/requests/<id:request_id>", methods=["POST"])
def decide_request(group_id: int, request_id: int):
    group, membership = load_group(group_id)
    session = get_session()
    join_request = session.get(JoinRequest, request_id)
    if join_request is None or join_request.group_id != group.id:
        abort(404)
    require(policy.may_manage_group(current_user, membership))
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("Choose approve or decline.", "error")
        return redirect(url_for(".requests", group_id=group.id))
    approve = form.decision.data == "approve"
    name = join_request.user.display_name
    try:
        joining.decide_request(session, group, join_request, current_user, approve)
    except GroupError as error:
        flash(str(error), "error")
    else:
        if approve:
            flash(f"{name} is now a participant in {group.name}.", "success")
        else:
            flash(f"You declined {name}'s request to join.", "success")
    return redirect(url_for(".requests", group_id=group.id))


# Joining with a code or link ---------------------------------------------------

@bp.route("/join", methods=["GET", "POST"])
@login_required
@join_code_posts
def join_form():
    form = JoinForm()
    if form.validate_on_submit():
        group = joining.group_for_code(get_session(), form.code.data)
        if group is not None:
            return redirect(url_for(".join_link", code=group.join_code))
        form.code.errors = [*form.code.errors, INVALID_CODE]
    return render_template("groups/join.html", form=form), _status(form)


def _invalid_link(code: str):
    form = JoinForm(formdata=None, code=code[:40])
    form.code.errors = [INVALID_CODE]
    return render_template("groups/join.html", form=form), 404


@bp.route("/join/<code>", methods=["GET", "POST"])
@login_required
@join_code
def join_link(code: str):
    session = get_session()
    group = joining.group_for_code(session, code)
    if group is None:
        return _invalid_link(code)
    membership = service.membership_of(session, group.id, current_user)
    context = {"group": group, "membership": membership,
               "waiting": joining.pending_request_for(session, group, current_user)}
    if request.method == "GET":
        return render_template("groups/join_confirm.html", **context)
    try:
        outcome = joining.join(session, group, current_user)
    except GroupError as error:
        return render_template("groups/join_confirm.html", refusal=str(error), **context), 403
    if outcome.already_member:
        flash(f"You are already a member of {group.name}.", "info")
    elif outcome.joined:
        flash(f"You joined {group.name} as a participant.", "success")
    else:
        flash(f"Your request to join {group.name} has been sent. A facilitator will "
              "let you in; the group will then appear here.", "success")
        return redirect(url_for(".my_groups"))
    return redirect(url_for(".overview", group_id=group.id))
