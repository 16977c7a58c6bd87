"""Groups: "My groups", creating a group, the overview and its join code,
leaving, settings, archiving and deleting (members, join requests and joining
are in ``membership_views``, on this blueprint).

Every group-owned URL goes through ``load_group`` first, so outsiders and
signed-out visitors get 404 whatever the group id; the policy then decides
what a member may do (403 when they may see the page but not do this).
"""

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from casebook import policy
from casebook.db import get_session, utcnow
from casebook.discussion.reading import unread_by_discussion
from casebook.groups import joining, service
from casebook.groups.access import load_group, require
from casebook.groups.forms import (
    PRESET_DESCRIPTIONS,
    CreateGroupForm,
    DeletedMemberPostsForm,
    DeleteGroupForm,
    EmailDefaultForm,
    ExpiryForm,
    SettingsForm,
)
from casebook.groups.models import CUSTOM, Group, Membership
from casebook.groups.service import GroupError
from casebook.moderation.waiting import queue_counts
from casebook.timefmt import from_local_input, localtime, to_local_input

bp = Blueprint("groups", __name__)


def _status(form) -> int:
    return 422 if form.errors else 200


# My groups and creating a group ---------------------------------------------

@bp.route("/groups/")
@login_required
def my_groups():
    session = get_session()
    now = utcnow()
    memberships = service.my_groups(session, current_user)
    by_group = {m.group_id: m for m in memberships}
    discussions: dict[int, list] = {m.group_id: [] for m in memberships}
    for d in service.discussions_of(session, list(by_group)):
        if policy.may_view_discussion(current_user, by_group[d.group_id], d, now):
            discussions[d.group_id].append(d)
    return render_template(
        "groups/my_groups.html", memberships=memberships, discussions=discussions,
        unread=unread_by_discussion(
            session, current_user, by_group, now=now,
            sees_everything_in={g for g, m in by_group.items()
                                if policy.sees_everything(current_user, m)}),
        pending=joining.my_pending_requests(session, current_user),
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def create():
    require(policy.may_create_group(current_user))
    form = CreateGroupForm()
    if form.validate_on_submit():
        try:
            group = joining.create_group(
                get_session(), current_user, name=form.name.data,
                description=form.description.data or "", kind=form.kind.data,
                requires_approval=form.requires_approval.data, preset=form.preset.data or CUSTOM,
            )
        except GroupError as error:
            form.kind.errors = [*form.kind.errors, str(error)]
        else:
            flash(f"You created {group.name} and are its facilitator. Share the join code "
                  "below to invite people.", "success")
            return redirect(url_for(".overview", group_id=group.id))
    return render_template("groups/create.html", form=form,
                           preset_descriptions=PRESET_DESCRIPTIONS), _status(form)


# Overview, join code management, leaving -------------------------------------

def _overview(group: Group, membership: Membership | None, *, expiry_form=None,
              status: int = 200):
    session = get_session()
    now = utcnow()
    discussions = [d for d in service.group_discussions(session, group)
                   if policy.may_view_discussion(current_user, membership, d, now)]
    facilitators = service.facilitator_count(session, group.id)
    context = {
        "group": group, "membership": membership, "discussions": discussions, "now": now,
        "is_member": policy.is_member(current_user, membership),
        "may_leave": policy.may_leave_group(current_user, membership, facilitators),
        "may_manage": policy.may_manage_group(current_user, membership),
        "unread": unread_by_discussion(
            session, current_user, [group.id], now=now,
            sees_everything_in={group.id} if policy.sees_everything(current_user, membership)
            else set()),
    }
    if policy.may_view_moderation(current_user, membership):
        context["queue_counts"] = queue_counts(session, group)
    if context["may_manage"]:
        expires = group.join_code_expires_at
        context.update(
            pending_count=joining.pending_request_count(session, group),
            code_display=joining.display_code(group.join_code) if group.join_code else None,
            invite_link=(url_for(".join_link", code=group.join_code, _external=True)
                         if group.join_code else None),
            code_expired=expires is not None and expires <= now,
            expiry_form=expiry_form or ExpiryForm(
                formdata=None, expires_at=to_local_input(expires, current_user)),
        )
    return render_template("groups/overview.html", **context), status


@bp.route("/groups/<id:group_id>")
def overview(group_id: int):
    group, membership = load_group(group_id)
    return _overview(group, membership)


@bp.route("/groups/<id:group_id>/code/rotate", methods=["POST"])
def rotate_code(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_manage_group(current_user, membership))
    was_off = group.join_code is None
    # A future expiry carries over to the new code; a past one would make
    # the new code useless from the start.
    expires = group.join_code_expires_at
    keep = expires if expires is not None and expires > utcnow() else None
    code = joining.display_code(joining.rotate_code(get_session(), group, keep))
    if was_off:
        flash(f"Joining is switched on again with the new code {code}.", "success")
    else:
        flash(f"The new join code is {code}. The old code and invite link no longer work.",
              "success")
    return redirect(url_for(".overview", group_id=group.id))


@bp.route("/groups/<id:group_id>/code/disable", methods=["POST"])
def disable_code(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_manage_group(current_user, membership))
    joining.disable_code(get_session(), group)
    flash("Joining is switched off: the code and invite link no longer work.", "success")
    return redirect(url_for(".overview", group_id=group.id))


@bp.route("/groups/<id:group_id>/code/expiry", methods=["POST"])
def code_expiry(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_manage_group(current_user, membership))
    if group.join_code is None:
        flash("Joining is switched off. Turn it back on before setting an expiry.", "error")
        return redirect(url_for(".overview", group_id=group.id))
    form = ExpiryForm()
    if form.validate_on_submit():
        expires = from_local_input(form.expires_at.data, current_user)
        try:
            joining.set_code_expiry(get_session(), group, expires)
        except GroupError as error:
            form.expires_at.errors = [*form.expires_at.errors, str(error)]
        else:
            if expires is None:
                flash("The join code no longer expires.", "success")
            else:
                flash(f"The join code now stops working at {localtime(expires)}.", "success")
            return redirect(url_for(".overview", group_id=group.id))
    return _overview(group, membership, expiry_form=form, status=422)


@bp.route("/groups/<id:group_id>/leave", methods=["POST"])
def leave(group_id: int):
    group, membership = load_group(group_id)
    require(policy.is_member(current_user, membership))
    try:
        service.leave(get_session(), membership)
    except GroupError as error:
        flash(str(error), "error")
        return _overview(group, membership, status=409)
    flash(f"You have left {group.name}.", "success")
    return redirect(url_for(".my_groups"))


# Settings --------------------------------------------------------------------

def _settings_data(group: Group) -> dict:
    return {
        "name": group.name, "description": group.description_md, "kind": group.kind,
        "requires_approval": group.requires_approval, "premoderation": group.premoderation,
        "premoderation_first_n": group.premoderation_first_n,
        "default_identity": group.default_identity, "default_release": group.default_release,
        "default_post_first": group.default_post_first,
        "default_post_first_stage": group.default_post_first_stage or "",
        "default_police_prompts": group.default_police_prompts,
    }


@bp.route("/groups/<id:group_id>/settings", methods=["GET", "POST"])
def settings(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_manage_group(current_user, membership))
    form = SettingsForm(data=_settings_data(group))
    if form.validate_on_submit():
        first_n = form.premoderation_first_n.data or group.premoderation_first_n
        try:
            service.update_group(
                get_session(), group, name=form.name.data,
                description=form.description.data or "", kind=form.kind.data,
                requires_approval=form.requires_approval.data,
                premoderation=form.premoderation.data, premoderation_first_n=first_n,
            )
            service.update_discussion_defaults(
                get_session(), group,
                identity=form.default_identity.data or group.default_identity,
                release=form.default_release.data or group.default_release,
                post_first=form.default_post_first.data,
                post_first_stage=form.default_post_first_stage.data or None,
                police_prompts=form.default_police_prompts.data,
            )
        except GroupError as error:
            flash(str(error), "error")
        else:
            flash("The group's settings are saved.", "success")
            return redirect(url_for(".overview", group_id=group.id))
    status = 422 if form.errors or request.method == "POST" else 200
    return _settings_page(group, membership, form=form, status=status)


def _settings_page(group: Group, membership: Membership | None, *, form=None,
                   posts_form=None, email_form=None, status: int = 200):
    form = form or SettingsForm(formdata=None, data=_settings_data(group))
    posts_form = posts_form or DeletedMemberPostsForm(
        formdata=None, deleted_member_posts=group.deleted_member_posts)
    email_form = email_form or EmailDefaultForm(formdata=None,
                                                email_default=group.email_default)
    return render_template("groups/settings.html", group=group, membership=membership,
                           form=form, posts_form=posts_form, email_form=email_form), status


@bp.route("/groups/<id:group_id>/settings/email-default", methods=["POST"])
def email_default(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_manage_group(current_user, membership))
    form = EmailDefaultForm()
    if not form.validate_on_submit():
        return _settings_page(group, membership, email_form=form, status=422)
    service.set_email_default(get_session(), group, current_user, form.email_default.data)
    flash("Saved: how members are emailed about notifications.", "success")
    return redirect(url_for(".settings", group_id=group.id))


@bp.route("/groups/<id:group_id>/settings/deleted-member-posts", methods=["POST"])
def deleted_member_posts(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_manage_group(current_user, membership))
    form = DeletedMemberPostsForm()
    if not form.validate_on_submit():
        return _settings_page(group, membership, posts_form=form, status=422)
    service.set_deleted_member_posts(get_session(), group, current_user,
                                     form.deleted_member_posts.data)
    flash("Saved: what happens to a deleted member's posts.", "success")
    return redirect(url_for(".settings", group_id=group.id))


@bp.route("/groups/<id:group_id>/archive", methods=["POST"])
def archive(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_archive_or_delete_group(current_user, membership))
    try:
        service.archive(get_session(), group, current_user)
    except GroupError as error:
        flash(str(error), "error")
    else:
        flash(f"{group.name} is archived: everyone can read it, nobody can change it.",
              "success")
    return redirect(url_for(".overview", group_id=group.id))


@bp.route("/groups/<id:group_id>/unarchive", methods=["POST"])
def unarchive(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_archive_or_delete_group(current_user, membership))
    try:
        service.unarchive(get_session(), group, current_user)
    except GroupError as error:
        flash(str(error), "error")
    else:
        flash(f"{group.name} is no longer archived. Members can take part again.", "success")
    return redirect(url_for(".overview", group_id=group.id))


@bp.route("/groups/<id:group_id>/delete", methods=["GET", "POST"])
def delete_group(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_archive_or_delete_group(current_user, membership))
    form = DeleteGroupForm()
    if form.validate_on_submit():
        name = group.name
        try:
            service.delete_group(get_session(), group, form.name.data)
        except service.WrongGroupName as error:
            form.name.errors.append(str(error))
        else:
            flash(f"“{name}” and everything in it have been deleted.", "success")
            return redirect(url_for(".my_groups"))
    return render_template("groups/delete.html", group=group, membership=membership,
                           form=form), _status(form)


# The members, join request and joining routes live in their own module on this
# blueprint; importing it here registers them with it.
from casebook.groups import membership_views  # noqa: E402, F401
