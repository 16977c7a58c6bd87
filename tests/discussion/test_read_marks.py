"""Read marks survive two tabs of the same member reading a thread at the same moment."""

import pytest
from sqlalchemy import select

from casebook.accounts.models import User
from casebook.discussion.models import Thread, ThreadRead
from casebook.discussion.thread_reading import mark_read
from tests.conftest import db
from tests.factories import post, seminar


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        world = seminar(session)
        for n in range(3):
            post(session, world.thread, world.ben, f"Answer {n}")
        return world


def test_a_read_mark_stored_by_another_tab_meanwhile_is_not_an_error(app, world):
    with db(app) as session, db(app) as other_tab:
        thread = session.get(Thread, world.thread.id)
        ann = session.get(User, world.ann.id)
        real_get = session.get

        def get_then_other_tab_reads(entity, key, **kwargs):
            # This tab has just looked and found no mark; the other stores one now.
            found = real_get(entity, key, **kwargs)
            if entity is ThreadRead:
                mark_read(other_tab, other_tab.get(Thread, thread.id),
                          other_tab.get(User, ann.id), 2)
            return found

        session.get = get_then_other_tab_reads
        assert mark_read(session, thread, ann, 3) == 0
        session.get = real_get

    with db(app) as session:
        marks = session.scalars(select(ThreadRead.last_read_number)
                                .where(ThreadRead.user_id == world.ann.id)).all()
    assert marks == [3]


def test_an_older_page_never_moves_the_read_mark_back(app, world):
    with db(app) as session:
        thread = session.get(Thread, world.thread.id)
        ann = session.get(User, world.ann.id)
        assert mark_read(session, thread, ann, 3) == 0
        assert mark_read(session, thread, ann, 1) == 3

    with db(app) as session:
        assert session.get(ThreadRead, (world.ann.id, world.thread.id)).last_read_number == 3
