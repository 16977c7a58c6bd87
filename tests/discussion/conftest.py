"""The shared seminar (``tests.factories.seminar``) for discussion tests, and
helpers to write and read posts as members do.

Setup and checks open their own plain session (``db`` in tests/conftest.py),
so no test holds an app context while the test client makes requests.
"""

import re

import pytest

from casebook.accounts.models import User
from casebook.discussion.models import Post, Thread
from casebook.groups.service import membership_of
from tests.conftest import csrf_from, db
from tests.factories import seminar


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        return seminar(session)


def member(session, w, user):
    return membership_of(session, w.gid, session.get(User, user.id))


def page_text(response) -> str:
    return response.get_data(as_text=True)


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert match, f"no {name} field"
    return match.group(1)


def thread_url(w, thread, **query) -> str:
    suffix = "".join(f"&{k}={v}" for k, v in query.items()).replace("&", "?", 1)
    return f"/groups/{w.gid}/threads/{thread.id}{suffix}"


def reply(client, w, thread, body: str, **extra):
    """Write a post through the thread page's form, as a member would."""
    url = thread_url(w, thread)
    html = page_text(client.get(url))
    data = {"csrf_token": csrf_from(html), "body": body,
            "submission_key": form_value(html, "submission_key"), "submit": "Post", **extra}
    return client.post(f"/groups/{w.gid}/threads/{thread.id}/posts", data=data)


def write(session, thread_id: int, user, body: str, **kwargs) -> Post:
    """A post made through the service (setup); returns it."""
    from tests.factories import post

    return post(session, session.get(Thread, thread_id), session.get(User, user.id), body,
                **kwargs)
