"""Form posts no browser sends from our pages: a text field sent as a file, NUL
characters, bytes that are not UTF-8, a JSON body, unknown query parameters.
Each gets a clear answer (the form with a message, or a 400 page) and stores
nothing; none gives a 500."""

import io

import pytest
from sqlalchemy import func, select

from casebook.discussion.models import Post, Thread
from casebook.forms import FILE_PART_MESSAGE, NUL_MESSAGE
from casebook.groups.models import Group
from casebook.moderation.models import Report, WatchedWord
from tests.conftest import csrf_token, db, signed_in
from tests.factories import post, seminar


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        w = seminar(session)
        w.post = post(session, w.thread, w.ben, "Ben's answer.")
        w.ann_post = post(session, w.thread, w.ann, "Ann's answer.")
        return w


def _counts(app) -> tuple:
    with db(app) as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Post, Thread, Group, Report, WatchedWord))


def _forms(w):
    """(who, url, other fields, the text field under test) for each form that takes text."""
    g, d, t = w.gid, w.discussion.id, w.thread.id
    return [
        (w.ann, f"/groups/{g}/threads/{t}/posts",
         {"submission_key": "s" * 24, "submit": "Post"}, "body"),
        (w.ann, f"/groups/{g}/threads/{t}/posts", {"preview": "Preview"}, "body"),
        (w.ann, f"/groups/{g}/discussions/{d}/threads/new",
         {"title": "A question", "submit": "Start thread"}, "body"),
        (w.ann, f"/groups/{g}/discussions/{d}/threads/new",
         {"body": "Why?", "submit": "Start thread"}, "title"),
        (w.ann, f"/groups/{g}/posts/{w.ann_post.id}/edit", {"submit": "Save changes"}, "body"),
        (w.ann, f"/groups/{g}/posts/{w.post.id}/report", {"reason": "off-topic"}, "detail"),
        (w.ann, "/groups/new", {"kind": "seminar"}, "name"),
        (w.fac, f"/groups/{g}/settings",
         {"name": "Ethics seminar", "kind": "seminar", "premoderation": "off"}, "description"),
        (w.fac, f"/groups/{g}/moderation/words", {"action": "hold"}, "phrase"),
        (w.fac, f"/groups/{g}/discussions/{d}/edit", {"identity": "named"}, "title"),
    ]


def _allow_member_threads(app, w):
    from casebook.discussion.models import Discussion

    with db(app) as session:
        session.get(Discussion, w.discussion.id).allow_member_threads = True
        session.commit()


def test_a_text_field_sent_as_a_file_gives_the_form_back(app, world):
    _allow_member_threads(app, world)
    before = _counts(app)
    for user, url, fields, name in _forms(world):
        client = signed_in(app, user)
        data = {"csrf_token": csrf_token(client), **fields,
                name: (io.BytesIO(b"Words from a file."), "answer.txt")}
        response = client.post(url, data=data, content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 400, 422), (url, name, response.status_code)
        assert FILE_PART_MESSAGE in html, (url, name)
        assert 'name="csrf_token"' in html, (url, "the form is given back")
    assert _counts(app) == before


def test_nul_characters_give_a_field_error(app, world):
    _allow_member_threads(app, world)
    before = _counts(app)
    for user, url, fields, name in _forms(world):
        client = signed_in(app, user)
        data = {"csrf_token": csrf_token(client), "title": "A question", "body": "Why?",
                **fields, name: "Before\x00after"}
        response = client.post(url, data=data)
        assert response.status_code in (200, 422), (url, name, response.status_code)
        assert NUL_MESSAGE in response.get_data(as_text=True), (url, name)
    assert _counts(app) == before


def test_nul_in_sign_in_and_register_is_refused_without_a_500(app):
    client = app.test_client()
    for url, data in (("/account/sign-in", {"email": "a\x00@example.org", "password": "x"}),
                      ("/account/register", {"display_name": "A\x00", "email": "a@example.org",
                                             "password": "correct horse 1",
                                             "confirm": "correct horse 1"})):
        response = client.post(url, data={"csrf_token": csrf_token(client), **data})
        assert response.status_code in (200, 422), url
        assert NUL_MESSAGE in response.get_data(as_text=True), url


def test_bytes_that_are_not_utf8_get_the_400_page(app, world):
    client = signed_in(app, world.ann)
    token = csrf_token(client)
    url = f"/groups/{world.gid}/threads/{world.thread.id}/posts"
    before = _counts(app)
    urlencoded = client.post(url, data=f"csrf_token={token}&body=%FF%FEbad&submit=Post",
                             content_type="application/x-www-form-urlencoded")
    raw = client.post(url, data=f"csrf_token={token}&body=".encode() + b"\xff\xfe",
                      content_type="application/x-www-form-urlencoded")
    multipart = client.post(
        url, content_type="multipart/form-data; boundary=b",
        data=(f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
              '--b\r\nContent-Disposition: form-data; name="body"\r\n\r\nFine.\r\n'
              '--b\r\nContent-Disposition: form-data; name="body"\r\n\r\n').encode()
        + b"\xff\xfe\r\n--b--\r\n")
    query = client.get(f"/groups/{world.gid}/threads/{world.thread.id}?page=%FF")
    for response in (urlencoded, raw, multipart, query):
        assert response.status_code == 400
        assert "Something in that request was wrong" in response.get_data(as_text=True)
    assert _counts(app) == before


def test_nul_in_a_path_or_query_is_refused(app, world):
    client = signed_in(app, world.ann)
    assert client.get("/cases/online%00vigilantes").status_code == 404
    assert client.get("/cases/?q=abuse%00").status_code == 400
    assert client.get(f"/groups/{world.gid}/moderation/log?action=%00").status_code in (400,)


def test_a_json_body_is_not_read_as_the_form(app, world):
    client = signed_in(app, world.ann)
    before = _counts(app)
    response = client.post(
        f"/groups/{world.gid}/threads/{world.thread.id}/posts",
        json={"body": {"nested": [1, 2]}, "submit": 5},
        headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code in (400, 422)
    assert _counts(app) == before


def test_unknown_query_parameters_are_ignored(app, world):
    client = signed_in(app, world.ann)
    g = world.gid
    for url in ("/", "/cases/", f"/groups/{g}", f"/groups/{g}/threads/{world.thread.id}",
                f"/groups/{g}/discussions/{world.discussion.id}", f"/groups/{g}/activity"):
        response = client.get(url + "?utm_source=x&page=&reply_to=&junk=%E2%9C%93")
        assert response.status_code == 200, url


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_app_inherits_the_base_form(app):
    # create_app imported every view module, and with them every form.
    from flask_wtf import FlaskForm

    from casebook.forms import BaseForm

    forms = [f for f in _subclasses(FlaskForm) if f.__module__.startswith("casebook.")]
    assert len(forms) > 20
    assert [f.__qualname__ for f in forms if not issubclass(f, BaseForm)] == []


def test_an_over_long_submission_key_is_refused_not_stored(app, world):
    _allow_member_threads(app, world)
    client = signed_in(app, world.ann)
    g = world.gid
    before = _counts(app)
    for url, data in ((f"/groups/{g}/threads/{world.thread.id}/posts",
                       {"body": "An answer.", "submit": "Post"}),
                      (f"/groups/{g}/discussions/{world.discussion.id}/threads/new",
                       {"title": "A question", "body": "Why?", "submit": "Start thread"})):
        response = client.post(url, data={"csrf_token": csrf_token(client),
                                          "submission_key": "k" * 65, **data})
        assert response.status_code == 422, url
        assert "reload the page" in response.get_data(as_text=True)
    assert _counts(app) == before
