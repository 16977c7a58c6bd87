"""The shared seminar (``tests.factories.seminar``) for moderation tests.

They read and write through the root ``session`` fixture, a plain session
outside any app context; read what a request changed through ``fresh()``,
which starts a new transaction first.
"""

import pytest

from casebook.discussion.models import Post, Thread
from casebook.groups.service import membership_of
from tests.factories import seminar


@pytest.fixture
def world(app, session, cases):
    w = seminar(session)
    w.member = lambda user: membership_of(session, w.gid, user)
    return w


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
