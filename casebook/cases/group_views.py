"""A group's own cases: listed, read, written, edited and downloaded inside the
group (404 for anyone who may not see it), and copied in from the library.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import contains_eager

from casebook import policy
from casebook.cases import authoring, service
from casebook.cases.forms import CaseForm, CopyForm
from casebook.cases.loader import CaseFileError
from casebook.cases.models import LENSES, STAGE_TITLES, Case
from casebook.db import get_session
from casebook.groups.access import load_group, require
from casebook.groups.models import FACILITATOR, Group, Membership
from casebook.markdown import render_inline, render_markdown

bp = Blueprint("group_cases", __name__)


def _group_case(group: Group, slug: str) -> Case:
    case = authoring.get_group_case(get_session(), group.id, slug)
    if case is None:
        abort(404)
    return case


@bp.route("/groups/<id:group_id>/cases")
def index(group_id: int):
    group, membership = load_group(group_id)
    return render_template("cases/group_cases.html", group=group, membership=membership,
                           cases=authoring.group_cases(get_session(), group.id))


@bp.route("/groups/<id:group_id>/cases/<slug>")
def read(group_id: int, slug: str):
    group, membership = load_group(group_id)
    case = _group_case(group, slug)
    return render_template("cases/group_case.html", group=group, membership=membership,
                           case=case, stage_titles=STAGE_TITLES, lenses=LENSES)


@bp.route("/groups/<id:group_id>/cases/<slug>/download")
def download(group_id: int, slug: str):
    group, _membership = load_group(group_id)
    case = _group_case(group, slug)
    return Response(authoring.case_file(case), mimetype="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename="{case.slug}.md"'})


@bp.route("/groups/<id:group_id>/cases/new", methods=["GET", "POST"])
def create(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_author_case(current_user, membership))
    return _editor(group, membership, None)


@bp.route("/groups/<id:group_id>/cases/<slug>/edit", methods=["GET", "POST"])
def edit(group_id: int, slug: str):
    group, membership = load_group(group_id)
    case = _group_case(group, slug)
    require(policy.may_author_case(current_user, membership))
    return _editor(group, membership, case)


def _editor(group: Group, membership: Membership, case: Case | None):
    session = get_session()
    form = CaseForm()
    if not form.is_submitted() and case is not None:
        form.load(authoring.front_matter(case), case.body_md)
    form.offer_spare_boxes()
    problems: list[tuple[str, str, str]] = []
    preview = None
    if form.validate_on_submit():
        slug = case.slug if case is not None else authoring.free_slug(
            session, group.id, authoring.slugify(form.title.data or ""))
        keep = ({"teaching_notes": case.teaching_notes}
                if case is not None and case.teaching_notes else {})
        taken = {p.key for p in case.prompts} | {p.key for p in case.positions} if case else set()
        front = form.front(slug, taken, keep)
        try:
            data = authoring.validate(front, form.body.data or "")
        except CaseFileError as exc:
            problems = form.show_problems(exc.problems)
        else:
            if form.save.data:
                saved = authoring.save_group_case(session, group, data, case)
                flash(f"“{saved.title}” is saved. Only this group can see it.", "success")
                return redirect(url_for(".read", group_id=group.id, slug=saved.slug))
        if form.preview.data:
            preview = {
                "body": render_markdown(form.body.data or ""),
                "prompts": [(STAGE_TITLES[stage], [render_inline(item["text"])
                                                   for item in front["prompts"].get(stage, [])])
                            for stage, _entries in form.stage_prompts()],
            }
    elif form.is_submitted():
        problems = [(field.id, field.label.text, field.errors[0])
                    for field in _fields_with_errors(form)]
    form.offer_spare_boxes()
    return render_template("cases/editor.html", form=form, group=group, membership=membership,
                           case=case, problems=problems, preview=preview,
                           stage_titles=STAGE_TITLES), 422 if problems else 200


def _fields_with_errors(form: CaseForm):
    """Fields with the form's own errors (NULs, file parts), boxes of lists included."""
    for field in form:
        if field.type == "FieldList":
            for entry in field:
                yield from (sub for sub in entry.form if sub.errors)
        elif field.errors:
            yield field


def authoring_groups() -> list[Group]:
    """The groups the signed-in viewer may write cases in, by name."""
    if not current_user.is_authenticated:
        return []
    memberships = get_session().scalars(
        select(Membership).join(Membership.group).options(contains_eager(Membership.group))
        .where(Membership.user_id == current_user.id).order_by(Group.name))
    return [m.group for m in memberships if policy.may_author_case(current_user, m)]


# Built once: building it costs more than running it, and every case page asks.
_FACILITATES_SOME_GROUP = select(exists().where(
    Membership.user_id == bindparam("user_id"), Membership.role == FACILITATOR))


def may_copy_cases() -> bool:
    """Whether the viewer may copy a library case into a group of theirs.

    ``policy.may_author_case`` needs a facilitator's membership, so one EXISTS
    answers most viewers and only facilitators have their groups loaded."""
    if not current_user.is_authenticated or not get_session().scalar(
            _FACILITATES_SOME_GROUP, {"user_id": current_user.id}):
        return False
    return bool(authoring_groups())


@bp.route("/cases/<slug>/copy", methods=["GET", "POST"])
def copy(slug: str):
    """Choose one of the groups the viewer facilitates and copy the library case into it."""
    if not current_user.is_authenticated:
        abort(404)
    session = get_session()
    library_case = service.get_case(session, slug)
    if library_case is None:
        abort(404)
    groups = authoring_groups()
    if not groups:
        abort(404)
    form = CopyForm(data={"group_id": groups[0].id} if len(groups) == 1 else None)
    form.group_id.choices = [(g.id, g.name) for g in groups]
    if form.validate_on_submit():
        group = next(g for g in groups if g.id == form.group_id.data)
        copied = authoring.copy_to_group(session, library_case, group)
        flash(f"“{copied.title}” is copied into {group.name}. Edit it as you like; "
              "only this group can see it.", "success")
        return redirect(url_for(".edit", group_id=group.id, slug=copied.slug))
    return render_template("cases/copy.html", form=form, case=library_case,
                           groups=groups), 422 if form.errors else 200
