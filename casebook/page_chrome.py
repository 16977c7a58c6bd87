"""Parts of pages drawn once and kept: the site header and the templates'
URLs here, and what other areas ask ``kept`` for (the thread page's tag filter
and blank reply form).

The site header is on every page, and its dozen links cost more than many a
page's own content.

Its bytes depend only on the templates, the section the page is in (the
endpoint), whether someone is signed in, their unread count, the sign-in
pages' ``next`` and the script root; the one per-session value, the sign-out
form's CSRF token, is kept as ``fragments.csrf_placeholder()`` and filled in
per request.

Kept in this process, one store per app (placeholders derive from its secret
key, and the store lives as long as the templates it was drawn from): a key
holds everything its bytes depend on, so each app server just warms its own
copy and none can serve a stale one.
"""

from collections.abc import Callable, Hashable

from flask import Flask, current_app, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from casebook import fragments
from casebook.httpcache import RenderCache

KEPT_ENTRIES = 1024
URL_ENTRIES = 4096


def kept(key: Hashable, draw: Callable[[], str]) -> str:
    """The HTML kept under ``key``, drawn by ``draw()`` the first time.

    A plain tuple is key enough: the store lives and dies with the app, so
    with the templates it was drawn from."""
    store = current_app.extensions["casebook.kept"]
    html = store.get(key)
    if html is None:
        html = draw()
        store.put(key, html)
    return html


def site_header(next_target: str | None = None) -> str:
    signed_in = bool(current_user.is_authenticated)
    unread = current_user.unread_notifications if signed_in else 0
    key = ("site-header", request.script_root, request.endpoint, signed_in, unread,
           None if signed_in else next_target or None)
    placeholder = fragments.csrf_placeholder()
    html = kept(key, lambda: render_template("_site_header.html", next_target=next_target,
                                             csrf_value=placeholder))
    if signed_in:
        html = html.replace(placeholder, generate_csrf())
    return html


def template_url_for(endpoint: str, **values) -> str:
    """``url_for`` for templates, remembered: a page builds a dozen URLs, the
    same on every view, and building one cost more than drawing its link.

    A URL depends only on the endpoint, the values in their order (which is the
    query string's) and the script root; a relative endpoint or a ``_``-option
    (``_external`` and the like) depends on more, so those go straight through."""
    if endpoint.startswith(".") or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, *values.items())
    store = current_app.extensions["casebook.urls"]
    try:
        url = store.get(key)
    except TypeError:  # a value that cannot be a key (a list, say)
        return url_for(endpoint, **values)
    if url is None:
        url = url_for(endpoint, **values)
        store.put(key, url)
    return url


def init_app(app: Flask) -> None:
    app.extensions["casebook.kept"] = RenderCache(size=KEPT_ENTRIES)
    app.extensions["casebook.urls"] = RenderCache(size=URL_ENTRIES)
    app.jinja_env.globals.update(site_header=site_header, url_for=template_url_for)
