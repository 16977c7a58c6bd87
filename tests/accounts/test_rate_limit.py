"""Sign-in (and registration) POSTs are rate limited, per client IP and per submitted email."""

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
    assert "Please wait a minute before trying again." in body
    assert "Traceback" not in body


@pytest.fixture
def small_limit(make_app):
    app = make_app(SIGNIN_RATE_LIMIT="3 per minute")
    create_account(app, email="ann@example.org", password=PASSWORD)
    return app


@pytest.mark.parametrize("email", ["ann@example.org", "nobody@example.org"])
def test_the_default_limit_allows_ten_attempts_a_minute(app, client, email):
    assert app.config["SIGNIN_RATE_LIMIT"] == "10 per minute;30 per hour"
    create_account(app, email="ann@example.org", password=PASSWORD)

    for attempt in range(10):
        response = sign_in(client, email=email, password="a wrong password")
        assert response.status_code == 422, f"attempt {attempt + 1} was refused"

    assert_too_many(sign_in(client, email=email, password="a wrong password"))


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
    for number in range(3):
        response = sign_in(client, email=f"guess{number}@example.org")
        assert response.status_code == 422

    assert_too_many(sign_in(client, email="ann@example.org"))
    # Another address is not affected.
    assert sign_in(from_ip(small_limit, "10.0.0.2")).status_code == 302


def test_one_email_is_limited_across_many_addresses(small_limit):
    for number in range(3):
        client = from_ip(small_limit, f"10.0.1.{number}")
        assert sign_in(client, password="a wrong password").status_code == 422

    newcomer = from_ip(small_limit, "10.0.2.1")
    assert_too_many(sign_in(newcomer, password=PASSWORD))
    assert not is_signed_in(newcomer)
    # That address may still sign in to a different account.
    create_account(small_limit, email="bob@example.org", password=PASSWORD)
    assert sign_in(newcomer, email="bob@example.org").status_code == 302


def test_the_email_limit_ignores_case_and_spaces(small_limit):
    variants = ["ann@example.org", "ANN@example.org", " Ann@Example.Org "]
    for number, email in enumerate(variants):
        client = from_ip(small_limit, f"10.0.1.{number}")
        assert sign_in(client, email=email, password="a wrong password").status_code == 422

    assert_too_many(sign_in(from_ip(small_limit, "10.0.2.1"), email="aNn@example.org"))


def test_registration_is_limited_too(small_limit):
    client = small_limit.test_client()
    for number in range(3):
        response = register(client, email=f"user{number}@example.org", password="short")
        assert response.status_code == 422

    assert_too_many(register(client, email="new@example.org"))
