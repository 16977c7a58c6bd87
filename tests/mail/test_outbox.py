"""The outbox: a message is sent only when the action that caused it commits, each
attempt is recorded, and nothing unsent is lost (deliver-mail, the RQ worker)."""

import os
import uuid

import pytest
import redis
from sqlalchemy import select

from casebook.db import get_session
from casebook.mail import service as mail
from casebook.mail.models import FAILED, PENDING, SENT, OutboxMessage
from tests.conftest import _empty_database, make_test_app
from tests.smtp_server import smtp_config


def outbox(app):
    with app.extensions["casebook.sessionmaker"]() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def queue_one(app, to="ann@example.org", *, commit=True, **headers):
    with app.test_request_context():
        session = get_session()
        mail.queue(session, to, "Hello", "verify_email.txt", headers=headers,
                   user={"display_name": "Ann"}, site="Casebook", days=7,
                   link="http://localhost/x")
        if commit:
            session.commit()
        else:
            session.rollback()


def test_a_committed_message_is_sent_with_its_headers(mail_app, smtp):
    queue_one(mail_app, **{"List-Unsubscribe": "<http://localhost/u>"})

    [message] = smtp.to("ann@example.org")
    assert message["Subject"] == "Hello"
    assert message["From"] == "Casebook <casebook@localhost>"
    assert message["List-Unsubscribe"] == "<http://localhost/u>"
    [row] = outbox(mail_app)
    assert (row.status, row.attempts, row.sent_at is not None) == (SENT, 1, True)


def test_a_rolled_back_action_sends_nothing(mail_app, smtp):
    queue_one(mail_app, commit=False)
    assert outbox(mail_app) == []
    assert smtp.messages == []


def test_a_failed_attempt_is_recorded_and_deliver_mail_sends_it_later(
        database_url, tmp_instance, smtp):
    down = make_test_app(database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=1,
                         SMTP_STARTTLS=False)
    try:
        queue_one(down)
        [row] = outbox(down)
        assert row.status == FAILED and row.attempts == 1
        assert "ConnectionRefusedError" in row.last_error

        up = make_test_app(database_url, **smtp_config(smtp))
        result = up.test_cli_runner().invoke(args=["deliver-mail"])
        assert result.exit_code == 0, result.output
        assert "1 sent, 0 still failing." in result.output
        [row] = outbox(up)
        assert (row.status, row.attempts, row.last_error) == (SENT, 2, None)
        assert len(smtp.to("ann@example.org")) == 1
        # Sent once only, however often it runs.
        up.test_cli_runner().invoke(args=["deliver-mail"])
        assert len(smtp.messages) == 1
        up.extensions["casebook.engine"].dispose()
    finally:
        _empty_database(down.extensions["casebook.engine"])
        down.extensions["casebook.engine"].dispose()


@pytest.fixture
def redis_url():
    url = os.environ.get("CASEBOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CASEBOOK_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {url} is unreachable: {exc}")
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    return url


def test_with_redis_the_worker_delivers_what_the_request_queued(
        database_url, tmp_instance, smtp, redis_url):
    prefix = f"casebook-test-{uuid.uuid4().hex[:8]}:"
    app = make_test_app(database_url, REDIS_URL=redis_url, RATELIMIT_KEY_PREFIX=prefix,
                        **smtp_config(smtp))
    queue = mail.rq_queue(app)
    try:
        queue_one(app)
        # Queued, not sent: the request did not wait for the mail server.
        assert [row.status for row in outbox(app)] == [PENDING]
        assert smtp.messages == []
        assert queue.count == 1

        result = app.test_cli_runner().invoke(args=["worker", "--burst"])

        assert result.exit_code == 0, result.output
        assert len(smtp.to("ann@example.org")) == 1
        assert [row.status for row in outbox(app)] == [SENT]
    finally:
        queue.empty()
        queue.delete(delete_jobs=True)
        _empty_database(app.extensions["casebook.engine"])
        app.extensions["casebook.engine"].dispose()


def test_the_worker_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
    assert "CASEBOOK_REDIS_URL is not set" in result.output


def test_deleting_an_account_deletes_the_mail_to_it(mail_app, smtp):
    from casebook.accounts import service as accounts

    queue_one(mail_app, "ann@example.org")
    queue_one(mail_app, "ben@example.org")
    with mail_app.extensions["casebook.sessionmaker"]() as session:
        ann = accounts.register(session, email="ann@example.org", display_name="Ann",
                                password="x" * 12)
        accounts.erase_account(session, ann)
    assert [row.to_address for row in outbox(mail_app)] == ["ben@example.org"]
