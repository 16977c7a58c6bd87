from flask import Blueprint, Response, abort, render_template, request
from flask import session as flask_session
from flask_login import current_user

from casebook import httpcache, policy
from casebook.cases import group_views, service
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


_rendered = httpcache.RenderCache()


def _cached_page(slug: str, kind: str, render, vary: str = "") -> Response:
    """A case's page, validated by ETag and kept rendered whole, per viewer.

    Its bytes depend only on the case's content (``case_stamp``), the templates
    and the viewer (``viewer_key``: signed out, or this user in this session,
    whose sign-out form carries the session's CSRF token), and ``vary``: what
    else about the viewer the page shows; ``render(stamp_key)`` draws it. A
    page with a pending flash message is drawn afresh and not kept.
    """
    if not policy.may_read_case_library(current_user):
        abort(404)
    stamp = service.case_stamp(get_session(), slug)
    if stamp is None:
        abort(404)
    digest, updated_at = stamp
    content = httpcache.etag_for(kind, slug, digest, updated_at.isoformat())
    etag = httpcache.etag_for(content, httpcache.viewer_key(), vary)
    # A pending flash message belongs to this visitor's next page only.
    flashes = "_flashes" in flask_session
    if not flashes and (early := httpcache.not_modified(etag, updated_at)):
        return early
    body = None if flashes else _rendered.get(etag)
    if body is None:
        body = render(content).encode()
        if not flashes:
            _rendered.put(etag, body)
    return httpcache.with_validators(
        Response(body, mimetype="text/html"), etag, updated_at)


@bp.route("/<slug>")
def content_note(slug: str):
    """The content note, on its own, before any of the case is shown, with
    "Copy to my group" for a viewer who facilitates a group (so that varies the page)."""
    may_copy = group_views.may_copy_cases()
    return _cached_page(slug, "note", lambda _content: render_template(
        "cases/content_note.html", case=_case_or_404(slug), may_copy=may_copy),
        vary=f"copy={may_copy}")


@bp.route("/<slug>/read")
def read(slug: str):
    """The whole case: nearly static, so it is validated by ETag, its article is
    kept rendered by content (shared by every viewer), and the whole page per viewer."""

    def render(content: str) -> str:
        article = _rendered.get(content)
        if article is None:
            case = _case_or_404(slug)
            article = (case.title, render_template(
                "cases/_case_article.html", case=case, stage_titles=STAGE_TITLES,
                lenses=LENSES))
            _rendered.put(content, article)
        title, html = article
        return render_template("cases/case.html", title=title, article=html)

    return _cached_page(slug, "case", render)
