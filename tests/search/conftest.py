"""The shared seminar (``tests.factories.seminar``) for search tests."""

import pytest

from tests.conftest import db
from tests.factories import seminar


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        return seminar(session)


def search(client, q: str, **args):
    return client.get("/search", query_string={"q": q, **args})
