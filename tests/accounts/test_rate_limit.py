"""Sign-in (and registration) POSTs are rate limited per client address, and per
address and email pair, so a stranger cannot lock a member out of their account."""

import re

import pytest

from tests.accounts.pages import create_account, is_signed_in, text_of, without_csrf_token
from tests.conftest import register, sign_in

PASSWORD = "correct horse 1"


def from_ip(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def assert_too_many(response):
    body = text_of(response)
    assert response.status_code == 429
    assert "Error 429" in body
    assert "Too many attempts" in body
    # A fixed window of at most a minute in these tests: the header and the words agree.
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert re.search(r"Please try again in (1 second|about \d+ seconds|1 minute)\.", body)
    assert "Traceback" not in body


@pytest.fixture
def small_limit(make_app):
    app = make_app(SIGNIN_RATE_LIMIT="6 per minute", SIGNIN_ACCOUNT_RATE_LIMIT="3 per minute")
    create_account(app, email="ann@example.org", password=PASSWORD)
    return app


def test_the_default_limits_allow_five_tries_at_one_account_and_ten_in_all(app, client):
    assert app.config["SIGNIN_RATE_LIMIT"] == "10 per minute;30 per hour"
    assert app.config["SIGNIN_ACCOUNT_RATE_LIMIT"] == "5 per minute;20 per hour"
    create_account(app, email="ann@example.org", password=PASSWORD)

    for attempt in range(5):
        response = sign_in(client, email="ann@example.org", password="a wrong password")
        assert response.status_code == 422, f"attempt {attempt + 1} was refused"
    assert_too_many(sign_in(client, email="ann@example.org", password="a wrong password"))

    # The address has five tries left, at other accounts.
    for number in range(5):
        response = sign_in(client, email=f"guess{number}@example.org")
        assert response.status_code == 422, f"guess {number + 1} was refused"
    assert_too_many(sign_in(client, email="nobody@example.org"))


def test_once_limited_even_the_right_password_is_refused(small_limit):
    client = small_limit.test_client()
    for _ in range(3):
        assert sign_in(client, password="a wrong password").status_code == 422

    response = sign_in(client, password=PASSWORD)

    assert_too_many(response)
    assert not is_signed_in(client)


def test_the_sign_in_page_itself_still_loads_when_limited(small_limit):
    client = small_limit.test_client()
    for _ in range(4):
        sign_in(client, password="a wrong password")

    assert client.get("/account/sign-in").status_code == 200


def test_the_refusal_is_the_same_for_registered_and_unknown_emails(small_limit):
    refusals = []
    for address, email in [("10.0.0.1", "ann@example.org"), ("10.0.0.2", "nobody@example.org")]:
        client = from_ip(small_limit, address)
        for _ in range(3):
            assert sign_in(client, email=email, password="a wrong password").status_code == 422
        refusals.append(sign_in(client, email=email, password="a wrong password"))

    registered, unknown = refusals
    assert_too_many(registered)
    assert_too_many(unknown)
    assert without_csrf_token(text_of(registered)) == without_csrf_token(text_of(unknown))
    assert registered.headers.get("Content-Type") == unknown.headers.get("Content-Type")


def test_one_address_is_limited_across_many_emails(small_limit):
    client = from_ip(small_limit, "10.0.0.1")
    for number in range(6):
        response = sign_in(client, email=f"guess{number}@example.org")
        assert response.status_code == 422

    assert_too_many(sign_in(client, email="ann@example.org"))
    # Another address is not affected.
    assert sign_in(from_ip(small_limit, "10.0.0.2")).status_code == 302


def test_a_strangers_failures_elsewhere_do_not_lock_the_member_out(small_limit):
    for number in range(10):
        stranger = from_ip(small_limit, f"10.0.1.{number}")
        for _ in range(3):
            assert sign_in(stranger, password="a wrong password").status_code == 422
        # Each of the stranger's addresses is stopped for this account...
        assert_too_many(sign_in(stranger, password="a wrong password"))

    # ...but thirty failures later the member, from their own address, signs in.
    member = from_ip(small_limit, "10.0.2.1")
    assert sign_in(member, password=PASSWORD).status_code == 302
    assert is_signed_in(member)


def test_the_account_limit_ignores_case_and_spaces(small_limit):
    client = from_ip(small_limit, "10.0.1.1")
    for email in ["ann@example.org", "ANN@example.org", " Ann@Example.Org "]:
        assert sign_in(client, email=email, password="a wrong password").status_code == 422

    assert_too_many(sign_in(client, email="aNn@example.org"))
    # The address still has budget for another account.
    create_account(small_limit, email="bob@example.org", password=PASSWORD)
    assert sign_in(client, email="bob@example.org").status_code == 302


def test_registration_is_limited_too(small_limit):
    client = small_limit.test_client()
    for number in range(6):
        response = register(client, email=f"user{number}@example.org", password="short")
        assert response.status_code == 422

    assert_too_many(register(client, email="new@example.org"))
