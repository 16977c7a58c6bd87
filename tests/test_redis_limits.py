"""With CASEBOOK_REDIS_URL set, rate-limit counters live in Redis, shared by every worker."""

import os
import uuid

import pytest

from casebook import create_app
from casebook.extensions import limiter
from tests.conftest import CASES_DIR, sign_in

REDIS_URL = os.environ.get("CASEBOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        reason = f"Redis at {REDIS_URL} is unreachable: {exc}"
        if os.environ.get("CASEBOOK_REQUIRE_REDIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    yield client
    client.close()


def test_sign_in_limit_is_shared_through_redis(database_url, tmp_instance, redis_client):
    prefix = f"casebook-test-{uuid.uuid4().hex[:8]}"
    config = {
        "TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
        "SIGNIN_RATE_LIMIT": "2 per minute", "CASES_DIR": str(CASES_DIR),
    }
    first_worker, second_worker = create_app(config), create_app(config)
    try:
        assert first_worker.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        sign_in(first_worker.test_client(), email="nobody@example.org", password="wrong one")
        sign_in(first_worker.test_client(), email="nobody@example.org", password="wrong one")
        # The third attempt arrives at another app (another worker): Redis
        # holds the count, so it is refused there too.
        third = sign_in(second_worker.test_client(), email="nobody@example.org",
                        password="wrong one")
        assert third.status_code == 429
        assert "Too many attempts" in third.get_data(as_text=True)
        assert any(prefix in key.decode() for key in redis_client.scan_iter(f"*{prefix}*"))
    finally:
        for key in redis_client.scan_iter(f"*{prefix}*"):
            redis_client.delete(key)
        for app in (first_worker, second_worker):
            app.extensions["casebook.engine"].dispose()
        limiter.reset()
