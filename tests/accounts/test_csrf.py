"""Every account form refuses a POST without this browser's CSRF token, and changes nothing."""

import pytest

from tests.accounts.pages import create_account, find_user, is_signed_in, text_of, user_count
from tests.conftest import csrf_from, sign_in

PASSWORD = "correct horse 1"


def assert_csrf_refusal(response):
    body = text_of(response)
    assert response.status_code == 400
    assert "Error 400" in body
    assert "This form expired or was sent from another site." in body
    assert "nothing was saved" in body
    assert 'class="site-header"' in body  # the branded layout
    assert "Traceback" not in body
    assert "CSRF" not in body  # no framework internals


@pytest.fixture
def ann(app):
    create_account(app, email="ann@example.org", password=PASSWORD)


@pytest.fixture
def signed_in(ann, client):
    sign_in(client)
    assert is_signed_in(client)
    return client


def test_register_without_a_token(app, client):
    response = client.post("/account/register", data={
        "display_name": "Ann Example", "email": "ann@example.org",
        "password": PASSWORD, "confirm": PASSWORD,
    })

    assert_csrf_refusal(response)
    assert user_count(app) == 0
    assert not is_signed_in(client)


def test_sign_in_without_a_token(ann, client):
    response = client.post("/account/sign-in", data={
        "email": "ann@example.org", "password": PASSWORD,
    })

    assert_csrf_refusal(response)
    assert not is_signed_in(client)


def test_sign_out_without_a_token(signed_in):
    response = signed_in.post("/account/sign-out", data={})

    assert_csrf_refusal(response)
    assert is_signed_in(signed_in)


def test_change_password_without_a_token(app, signed_in):
    response = signed_in.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new password",
        "confirm": "a brand new password",
    })

    assert_csrf_refusal(response)
    assert sign_in(app.test_client(), password=PASSWORD).status_code == 302
    assert sign_in(app.test_client(), password="a brand new password").status_code == 422
    assert is_signed_in(signed_in)


def test_delete_account_without_a_token(app, signed_in):
    response = signed_in.post("/account/delete", data={
        "password": PASSWORD, "understood": "y",
    })

    assert_csrf_refusal(response)
    assert find_user(app, "ann@example.org") is not None
    assert is_signed_in(signed_in)


def test_a_token_from_another_browser_is_refused(app, signed_in):
    other_page = app.test_client().get("/account/sign-in")

    response = signed_in.post("/account/delete", data={
        "csrf_token": csrf_from(text_of(other_page)), "password": PASSWORD, "understood": "y",
    })

    assert_csrf_refusal(response)
    assert find_user(app, "ann@example.org") is not None


def test_a_forged_token_is_refused(app, signed_in):
    response = signed_in.post("/account/delete", data={
        "csrf_token": "not-a-real-token", "password": PASSWORD, "understood": "y",
    })

    assert_csrf_refusal(response)
    assert find_user(app, "ann@example.org") is not None
