from tests.discussion.conftest import world  # noqa: F401  the shared seminar
