import pytest

from tests.conftest import db
from tests.factories import seminar


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        return seminar(session)


@pytest.fixture(autouse=True)
def replay_only(app):
    # Streams replay what the log holds and end, so a test reads a whole response.
    app.config["LIVE_STREAM_SECONDS"] = 0
