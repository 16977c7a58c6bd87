"""A group with a facilitator, a moderator, two participants, an outsider and an
admin, and an open discussion; plus signed-in clients for each of them.

The ``session`` here is a plain database session outside any app context:
requests made inside a test's app context would share its ``g`` (signed-in
user, CSRF token, database session) with each other. Read what a request
changed through ``fresh()``, which starts a new transaction first.
"""

from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher

from casebook.discussion.models import Post, Thread
from casebook.groups.models import MODERATOR
from casebook.groups.service import membership_of
from tests.conftest import csrf_from
from tests.factories import add_member, make_discussion, make_group, make_user


@pytest.fixture(autouse=True)
def _quick_passwords(monkeypatch):
    # Six accounts a test: full-strength argon2 would spend seconds on them.
    from casebook.accounts import service

    monkeypatch.setattr(service, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def session(app):
    db = app.extensions["casebook.sessionmaker"]()
    yield db
    db.close()


@pytest.fixture
def world(app, session, cases):
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
    thread = discussion.threads[0]
    # A second group the outsider facilitates, for cross-group checks.
    other_group = make_group(session, out, name="Other seminar")
    other_thread = make_discussion(session, other_group, out).threads[0]
    w = SimpleNamespace(
        fac=fac, mod=mod, ann=ann, ben=ben, out=out, admin=admin, group=group,
        discussion=discussion, thread=thread, other_group=other_group,
        other_thread=other_thread, gid=group.id,
    )
    w.member = lambda user: membership_of(session, group.id, user)
    return w


@pytest.fixture
def client_for(app):
    """A signed-in test client per person (separate cookie jars)."""
    clients = {}

    def _client(user):
        if user is None:
            return app.test_client()
        if user.id not in clients:
            # Straight into the session cookie: the sign-in form is tested
            # elsewhere, and many sign-ins would meet its rate limit.
            c = app.test_client()
            with c.session_transaction() as s:
                s["_user_id"] = user.get_id()
                s["_fresh"] = True
            clients[user.id] = c
        return clients[user.id]

    return _client


def send(client, url: str, data: dict | None = None, page: str = "/account/sign-in"):
    """POST with the client's CSRF token taken from ``page``."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def refresh(session) -> None:
    """End the test's transaction (SQLite readers keep their snapshot) and
    forget loaded state, so the next read shows what requests committed."""
    session.commit()
    session.expire_all()


def fresh(session, model, ident):
    refresh(session)
    return session.get(model, ident)


def fresh_post(session, post) -> Post:
    return fresh(session, Post, post.id)


def fresh_thread(session, thread) -> Thread:
    return fresh(session, Thread, thread.id)
