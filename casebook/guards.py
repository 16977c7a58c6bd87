"""Requests no browser sends from our pages get a 4xx page, never a 500.

Checked before any view runs, so no view has to think about them:

- a NUL character in the path or query string: PostgreSQL refuses NUL in
  text, so a search or slug containing one would fail in the driver (404
  for a path, 400 for a query);
- bytes that are not UTF-8 in the query string or form body: Werkzeug would
  silently drop an undecodable urlencoded body or replace the bytes, and
  store text the sender never wrote (400);
- a body over MAX_CONTENT_LENGTH (CASEBOOK_MAX_CONTENT_LENGTH): the branded
  413 page, sent so the client can read it (see ``_drain``).
"""

from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request

# How much of an over-size body is read and thrown away before the 413 is
# sent. A server that closes a socket with unread data makes the kernel send
# a reset, and the client may lose the response before reading it; reading a
# moderately over-size body first lets the 413 arrive. Bodies larger than
# this are not read (that would let anyone make us read without limit): the
# server closes the connection after the response instead.
DRAIN_LIMIT = 16 * 1024 * 1024
_CHUNK = 64 * 1024


def _is_utf8(raw: str | bytes) -> bool:
    """Whether a urlencoded string decodes to UTF-8 text once its escapes are undone."""
    data = raw.encode("latin-1") if isinstance(raw, str) else raw
    try:
        unquote_to_bytes(data.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_request() -> None:
    if "\x00" in request.path:
        abort(404)
    query = request.environ.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query or not _is_utf8(query):
        abort(400)
    if request.method != "POST":
        return
    if request.mimetype == "application/x-www-form-urlencoded":
        valid = _is_utf8(request.get_data(cache=True))
    elif request.mimetype == "multipart/form-data":
        # Werkzeug decodes multipart text with replacement characters; our
        # pages never send multipart, so one there means the bytes were not UTF-8.
        valid = not any("\ufffd" in value for _, value in request.form.items(multi=True))
    else:
        valid = True
    if not valid:
        abort(400)


def drain_body() -> None:
    """Read and discard an over-size body of up to DRAIN_LIMIT bytes (see there)."""
    stream = request.environ.get("wsgi.input")
    length = request.content_length
    if stream is not None and length is not None and length <= DRAIN_LIMIT:
        remaining = length
        while remaining > 0:
            chunk = stream.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)


def init_app(app: Flask) -> None:
    app.before_request(_check_request)
