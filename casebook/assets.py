"""Cheap responses: static files under content-hashed URLs, and gzip.

``static_url('css/casebook.css')`` gives ``/static/css/casebook.css?v=<hash of
the file>``. A request carrying the file's current hash is answered with a
year-long, immutable cache lifetime: a changed file gets a new URL, so a
browser never keeps an old one. Any other request for a static file keeps
Flask's default (revalidate with its ETag).

Text responses above ``GZIP_MIN_SIZE`` are gzipped when the client accepts
it. Pages carry a CSRF token next to text a visitor can choose, the setting of
the BREACH attack; as Django does, the gzip header gets a random-length file
name so the compressed length no longer tells an attacker whether a guess
matched.
"""

import gzip
import hashlib
import io
import secrets
from pathlib import Path

from flask import Flask, Response, current_app, has_request_context, request, url_for

GZIP_MIN_SIZE = 1024
IMMUTABLE = "public, max-age=31536000, immutable"
_COMPRESSIBLE = ("text/", "application/json", "application/javascript",
                 "image/svg+xml", "application/xml")


def init_app(app: Flask) -> None:
    hashes: dict[str, str] = {}

    def file_hash(filename: str) -> str | None:
        known = hashes.get(filename)
        if known is None or app.debug:
            path = Path(app.static_folder, filename)
            if not path.is_file():
                return None
            known = hashes[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return known

    urls: dict[tuple[str, str], str] = {}

    def static_url(filename: str) -> str:
        # Every page asks for the same few files; building each URL cost more
        # than the rest of base.html. Kept by script root, as url_for's answer is.
        if not has_request_context() or app.debug:
            return url_for("static", filename=filename, v=file_hash(filename))
        key = (request.script_root, filename)
        known = urls.get(key)
        if known is None:
            known = urls[key] = url_for("static", filename=filename, v=file_hash(filename))
        return known

    app.extensions["casebook.static_hash"] = file_hash
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(_cache_static)
    app.after_request(_gzip)


def _cache_static(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code != 200:
        return response
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if version and version == current_app.extensions["casebook.static_hash"](filename):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def _gzip(response: Response) -> Response:
    if (response.status_code != 200 or "Content-Encoding" in response.headers
            or not (response.mimetype or "").startswith(_COMPRESSIBLE)):
        return response
    if response.mimetype == "text/event-stream":
        # A live stream never ends on its own; compressing would wait for the end.
        return response
    response.vary.add("Accept-Encoding")
    if not request.accept_encodings["gzip"]:
        return response
    # Static files stream from disk; they are small enough to read whole.
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < GZIP_MIN_SIZE:
        return response
    buffer = io.BytesIO()
    name = secrets.token_hex(secrets.randbelow(50) + 1)
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buffer, compresslevel=5,
                       mtime=0) as out:
        out.write(data)
    response.set_data(buffer.getvalue())
    response.headers["Content-Encoding"] = "gzip"
    # The same validator must not name two different byte sequences.
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response
