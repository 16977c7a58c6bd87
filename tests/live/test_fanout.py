"""Open streams, as a busy server holds them: one reader of the log per discussion
per process, one rendering per kind of viewer, and access re-checked on the way."""

import re
import threading
import time

import pytest
import sqlalchemy

from casebook import fragments
from casebook.accounts.models import User
from casebook.db import get_session
from casebook.groups import service as groups
from casebook.groups.service import membership_of
from casebook.live import events
from tests.conftest import db, signed_in
from tests.discussion.conftest import reply
from tests.live.test_stream import parse, posts_in, stream_url

OPEN_SECONDS = 4.0


@pytest.fixture
def held_open(app):
    # Streams stay open (waiting to be woken) instead of replaying and ending.
    app.config["LIVE_STREAM_SECONDS"] = OPEN_SECONDS


class Open:
    """A stream read to its end on a thread of its own, as a browser would hold it."""

    def __init__(self, client, url: str):
        self.response = client.get(url, buffered=False)
        self.chunks: list[bytes] = []
        self.ended_at: float | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        for chunk in self.response.response:
            self.chunks.append(chunk)
        self.ended_at = time.monotonic()
        self.response.close()

    def join(self) -> dict[int, str]:
        """{post id: html} of what the stream sent, once it has ended."""
        self._thread.join(OPEN_SECONDS + 10)
        assert self.ended_at is not None, "the stream did not end"
        return posts_in(parse(b"".join(self.chunks).decode()))


def waiting(streams):
    # Past the replay and waiting on the discussion's reader.
    time.sleep(1.0)
    assert all(s.ended_at is None for s in streams)


def test_open_streams_get_each_new_post_once_with_their_own_labels_and_token(
        app, world, held_open, client_for):
    url = stream_url(world, world.thread.id)
    bens = [Open(signed_in(app, world.ben), url) for _ in range(3)]
    ann, mod = Open(signed_in(app, world.ann), url), Open(signed_in(app, world.mod), url)
    waiting([*bens, ann, mod])
    assert reply(client_for(world.ann), world, world.thread,
                 "A first view on the sting.").status_code == 302
    for stream in (*bens, ann, mod):
        (html,) = stream.join().values()  # once, not again from the log
        assert "A first view on the sting." in html
        assert ('<span class="you">(you)</span>' in html) is (stream is ann)
        # Only the moderator's copy has the Hide form, with a token (never a placeholder).
        token = re.search(r'name="csrf_token" value="([^"]*)"', html)
        assert (token is not None) is (stream is mod)
    (html,) = mod.join().values()
    token = re.search(r'name="csrf_token" value="([^"]*)"', html).group(1)
    assert token and token != fragments_placeholder(app)


def fragments_placeholder(app) -> str:
    with app.app_context():
        return fragments.csrf_placeholder()


def stream_queries_while_posting(app, world, client_for, viewers: int) -> int:
    """Statements run by the open streams and the reader (not by the post's own request)
    while one post reaches ``viewers`` open pages of one viewer kind."""
    with db(app) as session:
        after = events.last_id(session, world.thread.discussion_id)
    url = stream_url(world, world.thread.id, after=after)
    streams = [Open(signed_in(app, world.ben), url) for _ in range(viewers)]
    waiting(streams)
    poster = threading.current_thread()
    statements = []

    def note(*_args):
        if threading.current_thread() is not poster:
            statements.append(1)

    engine = app.extensions["casebook.engine"]
    sqlalchemy.event.listen(engine, "before_cursor_execute", note)
    try:
        assert reply(client_for(world.ann), world, world.thread,
                     f"Seen by {viewers}.").status_code == 302
        for stream in streams:
            (html,) = stream.join().values()
            assert f"Seen by {viewers}." in html
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", note)
    return len(statements)


def test_more_open_pages_of_one_kind_cost_no_more_queries(app, world, held_open, client_for):
    one = stream_queries_while_posting(app, world, client_for, 1)
    five = stream_queries_while_posting(app, world, client_for, 5)
    # Four more streams each reading the log, their access and the post would add
    # about forty; the reader's look on its own timer may add one or two.
    assert five <= one + 2, (one, five)


def test_a_member_removed_stops_receiving_at_once_not_at_the_next_heartbeat(
        app, world, held_open, client_for):
    app.config["LIVE_STREAM_SECONDS"] = 12.0  # well under the 15 s heartbeat
    ben = Open(signed_in(app, world.ben), stream_url(world, world.thread.id))
    waiting([ben])
    removed_at = time.monotonic()
    with app.app_context():
        session = get_session()
        target = membership_of(session, world.gid, session.get(User, world.ben.id))
        groups.remove_member(session, target, session.get(User, world.fac.id))
    assert reply(client_for(world.ann), world, world.thread,
                 "After Ben was removed.").status_code == 302
    assert ben.join() == {}
    assert ben.ended_at - removed_at < 5
