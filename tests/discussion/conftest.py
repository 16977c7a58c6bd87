"""A group with a facilitator, a moderator, two participants and an outsider (who
runs a second group), an open discussion, and signed-in clients for each.

Requests must not run inside a test's app context: Flask would reuse it, and
with it ``g`` (the signed-in user, the database session) across requests.
So setup and checks open their own short context with ``db()``.
"""

import re
from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from casebook.accounts.models import User
from casebook.db import get_session
from casebook.discussion.models import Post, Thread
from casebook.groups.models import MODERATOR
from casebook.groups.service import membership_of
from tests.conftest import csrf_from
from tests.factories import add_member, make_discussion, make_group, make_user


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch):
    """These tests make many accounts; argon2's real cost belongs to the account tests."""
    from argon2 import PasswordHasher

    from casebook.accounts import service

    monkeypatch.setattr(service, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def db(app):
    """``with db() as session:`` a fresh session in its own app context."""

    @contextmanager
    def _open():
        with app.app_context():
            yield get_session()

    return _open


@pytest.fixture
def world(app, db, cases):
    with db() as session:
        return _world(session)


def _world(session):
    fac = make_user(session, "Fay Facilitator")
    mod = make_user(session, "Mo Moderator")
    ann = make_user(session, "Ann Example")
    ben = make_user(session, "Ben Other")
    out = make_user(session, "Oscar Outsider")
    admin = make_user(session, "Ada Admin", admin=True)
    group = make_group(session, fac)
    add_member(session, group, mod, MODERATOR)
    add_member(session, group, ann)
    add_member(session, group, ben)
    discussion = make_discussion(session, group, fac)
    other_group = make_group(session, out, name="Other seminar")
    other_discussion = make_discussion(session, other_group, out)
    w = SimpleNamespace(
        fac=fac, mod=mod, ann=ann, ben=ben, out=out, admin=admin, group=group, gid=group.id,
        discussion=discussion, thread=discussion.threads[0], other_group=other_group,
        other_discussion=other_discussion, other_thread=other_discussion.threads[0],
    )
    return w


def member(session, w, user):
    return membership_of(session, w.gid, session.get(User, user.id))


@pytest.fixture
def client_for(app):
    """A signed-in test client per person (separate cookie jars).

    Signing in goes straight into the session cookie: the sign-in form itself
    is tested elsewhere, and many sign-ins would hit its rate limit.
    """
    clients = {}

    def _client(user):
        if user is None:
            return app.test_client()
        if user.id not in clients:
            c = app.test_client()
            with c.session_transaction() as s:
                s["_user_id"] = user.get_id()
                s["_fresh"] = True
            clients[user.id] = c
        return clients[user.id]

    return _client


def page_text(response) -> str:
    return response.get_data(as_text=True)


def send(client, page_url: str, action_url: str, data: dict | None = None, **kwargs):
    """Load ``page_url`` as a browser would and submit ``data`` to ``action_url``."""
    token = csrf_from(page_text(client.get(page_url)))
    return client.post(action_url, data={"csrf_token": token, **(data or {})}, **kwargs)


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
