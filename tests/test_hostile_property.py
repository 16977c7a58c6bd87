"""Arbitrary text (control characters, NUL, any script) typed into the forms that
take free text: the answer is the form with a message or a stored object,
never a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.discussion.models import Discussion
from tests.conftest import csrf_token, db, signed_in
from tests.factories import seminar

# Every code point a form can carry (no lone surrogates: they cannot be sent
# as UTF-8), control characters and NUL included.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
FORMS = ["reply", "preview", "new_thread", "group"]


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        w = seminar(session)
        session.get(Discussion, w.discussion.id).allow_member_threads = True
        session.commit()
        return w


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.sampled_from(FORMS), text=TEXT, title=TEXT)
def test_no_text_gives_a_server_error(app, world, form, text, title):
    client = signed_in(app, world.ann)
    g, t, d = world.gid, world.thread.id, world.discussion.id
    token = csrf_token(client)
    url, data = {
        "reply": (f"/groups/{g}/threads/{t}/posts", {"body": text, "submit": "Post"}),
        "preview": (f"/groups/{g}/threads/{t}/posts", {"body": text, "preview": "Preview"}),
        "new_thread": (f"/groups/{g}/discussions/{d}/threads/new",
                       {"title": title, "body": text, "submit": "Start thread"}),
        "group": ("/groups/new", {"name": title, "description": text, "kind": "seminar"}),
    }[form]
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code in (200, 302, 422), (form, response.status_code)
