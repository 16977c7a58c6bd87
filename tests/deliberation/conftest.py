"""The discussion tests' seminar, shared with the deliberation tests."""

from tests.discussion.conftest import world  # noqa: F401 - a fixture
