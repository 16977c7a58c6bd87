"""Who took part and the downloads: the participation page, transcripts and
the participation CSV, for facilitators and moderators. Routes on the
discussion blueprint."""


from flask import (
    Response,
    render_template,
    request,
)
from flask_login import current_user

from casebook import policy
from casebook.db import get_session, utcnow
from casebook.discussion import export, participation
from casebook.discussion.models import (
    Discussion,
)
from casebook.discussion.views import (
    _discussion,
    bp,
)
from casebook.groups.access import load_group, require
from casebook.groups.models import Group
from casebook.limits import exports
from casebook.timefmt import zone_for


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/participation")
def participation_page(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_view_participation(current_user, membership))
    sort = request.args.get("sort", participation.DEFAULT_SORT)
    if sort not in participation.SORT_KEYS:
        sort = participation.DEFAULT_SORT
    direction = request.args.get("dir", participation.default_direction(sort))
    if direction not in ("asc", "desc"):
        direction = participation.default_direction(sort)
    figures = participation.participation(get_session(), group, discussion)
    return render_template(
        "discussion/participation.html", group=group, membership=membership,
        discussion=discussion, figures=figures,
        columns=participation.headings(figures.prompts_total),
        rows=participation.sort_rows(figures.rows, sort, direction),
        sort=sort, direction=direction, default_direction=participation.default_direction,
    )


def _download(body: str, group: Group, discussion: Discussion, kind: str, ext: str,
              mimetype: str) -> Response:
    response = Response(body, content_type=f"{mimetype}; charset=utf-8")
    # Dated in the facilitator's own timezone: the day they made it.
    today = utcnow().astimezone(zone_for(current_user)).date()
    response.headers["Content-Disposition"] = export.content_disposition(
        group, discussion, kind, ext, today)
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_target(group_id: int, discussion_id: int) -> tuple[Group, Discussion]:
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_export(current_user, membership))
    return group, discussion


def _include_hidden() -> bool:
    """Hidden posts' text only when the export form's box was ticked on purpose."""
    return request.args.get("include_hidden") == "1"


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/transcript.md")
@exports
def export_markdown(group_id: int, discussion_id: int):
    group, discussion = _export_target(group_id, discussion_id)
    session, include_hidden = get_session(), _include_hidden()
    body = export.transcript_markdown(session, group, discussion, include_hidden=include_hidden)
    export.record(session, discussion, current_user, "transcript (markdown)",
                  include_hidden=include_hidden)
    return _download(body, group, discussion, "transcript", "md", "text/markdown")


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/transcript.csv")
@exports
def export_csv(group_id: int, discussion_id: int):
    group, discussion = _export_target(group_id, discussion_id)
    session, include_hidden = get_session(), _include_hidden()
    body = export.transcript_csv(session, discussion, include_hidden=include_hidden)
    export.record(session, discussion, current_user, "transcript (csv)",
                  include_hidden=include_hidden)
    return _download(body, group, discussion, "transcript", "csv", "text/csv")


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/participation.csv")
@exports
def export_participation(group_id: int, discussion_id: int):
    group, discussion = _export_target(group_id, discussion_id)
    session = get_session()
    body = export.participation_csv(session, group, discussion)
    export.record(session, discussion, current_user, "participation summary")
    return _download(body, group, discussion, "participation", "csv", "text/csv")
