from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from casebook import policy
from casebook.cases import service
from casebook.cases.models import LENSES, STAGE_TITLES
from casebook.db import get_session

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("/")
def library():
    if not policy.may_read_case_library(current_user):
        abort(404)
    session = get_session()
    theme = request.args.get("theme", "").strip().lower() or None
    query = request.args.get("q", "").strip()[:200] or None
    return render_template(
        "cases/library.html",
        cases=service.list_cases(session, theme=theme, query=query),
        themes=service.all_themes(session),
        theme=theme,
        query=query or "",
    )


def _case_or_404(slug: str):
    if not policy.may_read_case_library(current_user):
        abort(404)
    case = service.get_case(get_session(), slug)
    if case is None:
        abort(404)
    return case


@bp.route("/<slug>")
def content_note(slug: str):
    """The content note, on its own, before any of the case is shown."""
    return render_template("cases/content_note.html", case=_case_or_404(slug))


@bp.route("/<slug>/read")
def read(slug: str):
    return render_template(
        "cases/case.html", case=_case_or_404(slug), stage_titles=STAGE_TITLES, lenses=LENSES
    )
