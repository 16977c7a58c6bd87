import pytest

from casebook.extensions import limiter
from tests.conftest import _empty_database, make_test_app


@pytest.fixture
def make_app(database_url, tmp_instance):
    """Builds apps with config overrides on the test database; cleans up after the test."""
    built = []

    def _make(**overrides):
        app = make_test_app(database_url, **overrides)
        built.append(app)
        return app

    yield _make
    for app in built:
        engine = app.extensions["casebook.engine"]
        _empty_database(engine)
        engine.dispose()
    limiter.reset()
