"""Validators (ETag, Last-Modified) and 304s for pages that rarely change.

A page's ETag is a digest of everything its bytes depend on, computed from a
cheap query before any rendering, so a browser's revalidation costs no
template at all. ``RENDER_VERSION`` (a digest of the templates) is part of
every ETag, so a deployment that changes a template changes every ETag.
"""

import hashlib
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from threading import Lock

from flask import Response, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf


def templates_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.html")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def viewer_key() -> str:
    """Who the page is drawn for: signed out, or this user in this session.

    A signed-in page carries the session's CSRF token (the sign-out form), so a
    new session must not reuse a copy from the old one.
    """
    if not current_user.is_authenticated:
        return "anonymous"
    generate_csrf()  # makes sure the session holds its token before it is read
    return f"user:{current_user.get_id()}:{session['csrf_token']}"


def etag_for(*parts) -> str:
    digest = hashlib.sha256(current_app.config["RENDER_VERSION"].encode())
    for part in parts:
        digest.update(b"\0" + str(part).encode())
    return digest.hexdigest()[:32]


def not_modified(etag: str, last_modified: datetime) -> Response | None:
    """A 304 when the browser's copy is current, else None (render the page).

    If-Modified-Since counts only for signed-out visitors and only without
    If-None-Match: a time cannot tell one viewer's copy from another's.
    """
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(etag)
    else:
        since = request.if_modified_since
        fresh = (since is not None and not current_user.is_authenticated
                 and last_modified.replace(microsecond=0) <= since)
    if not fresh:
        return None
    return with_validators(Response(status=304), etag, last_modified)


def with_validators(response: Response, etag: str, last_modified: datetime) -> Response:
    response.set_etag(etag)
    response.last_modified = last_modified
    # Stored, but checked with us on every use; per person once signed in.
    response.cache_control.no_cache = True
    if current_user.is_authenticated:
        response.cache_control.private = True
    response.vary.add("Cookie")
    return response


class RenderCache:
    """A bounded, thread-safe map (least recently used out first) from a key to
    what was rendered for it, in this process.

    Safe with several app servers only because every key changes with what it
    renders (a case's content digest, a thread's version): a change gets a new
    key, so no instance can serve a stale copy and nothing needs invalidating
    across instances; each just warms its own. Values are shared: read-only.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[str, object] = OrderedDict()
        self._lock = Lock()

    def get(self, key: str):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
