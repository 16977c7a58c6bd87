import pytest

from tests.accounts.pages import (
    assert_field_error,
    create_account,
    hidden_value,
    is_signed_in,
    text_of,
    without_csrf_token,
)
from tests.conftest import csrf_from, post_form, sign_in, sign_out

NO_MATCH = "That email and password do not match an account."


@pytest.fixture
def ann(app):
    create_account(app, email="ann@example.org", password="correct horse 1")


def test_the_right_password_signs_in(ann, client):
    response = sign_in(client, password="correct horse 1")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = text_of(client.get("/"))
    assert "Signed in as Ann Example." in home
    assert "Sign out" in home
    assert is_signed_in(client)


def test_a_wrong_password_does_not_sign_in(ann, client):
    response = sign_in(client, password="correct horse 2")

    assert response.status_code == 422
    assert_field_error(response, "password", NO_MATCH)
    assert not is_signed_in(client)


def test_an_unknown_email_does_not_sign_in(ann, client):
    response = sign_in(client, email="nobody@example.org")

    assert response.status_code == 422
    assert_field_error(response, "password", NO_MATCH)
    assert not is_signed_in(client)


def test_wrong_password_and_unknown_email_look_the_same(app):
    # The same email both times, so the pages can be compared byte for byte:
    # first while no account has it, then with an account and a wrong password.
    unknown = sign_in(app.test_client(), email="ann@example.org", password="a wrong password")
    create_account(app, email="ann@example.org", password="correct horse 1")
    wrong = sign_in(app.test_client(), email="ann@example.org", password="a wrong password")

    assert unknown.status_code == wrong.status_code == 422
    assert NO_MATCH in text_of(unknown)
    assert without_csrf_token(text_of(unknown)) == without_csrf_token(text_of(wrong))
    assert unknown.headers.get("Content-Type") == wrong.headers.get("Content-Type")


def test_the_password_is_not_echoed_back(ann, client):
    response = sign_in(client, password="not my password 123")

    assert "not my password 123" not in text_of(response)


def test_blank_fields_each_show_their_message(client):
    response = sign_in(client, email="", password="")

    assert response.status_code == 422
    assert_field_error(response, "email", "Enter your email address.")
    assert_field_error(response, "password", "Enter your password.")


def test_sign_out_must_be_a_post(ann, client):
    sign_in(client)

    response = client.get("/account/sign-out")

    assert response.status_code == 405
    assert "Error 405" in text_of(response)
    assert "Traceback" not in text_of(response)
    assert is_signed_in(client)


def test_signing_out_ends_the_session(ann, client):
    sign_in(client)
    assert is_signed_in(client)

    response = sign_out(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "You are signed out." in text_of(client.get("/"))
    account = client.get("/account/")
    assert account.status_code == 302
    assert account.headers["Location"].startswith("/account/sign-in")


def test_signing_out_also_forgets_a_remembered_browser(ann, client):
    sign_in(client, remember="y")
    assert client.get_cookie("remember_token") is not None

    sign_out(client)

    assert client.get_cookie("remember_token") is None
    assert not is_signed_in(client)


def test_the_sign_out_button_is_a_csrf_protected_form(ann, client):
    sign_in(client)

    home = text_of(client.get("/"))

    assert 'action="/account/sign-out"' in home
    assert csrf_from(home)


def test_a_protected_page_sends_you_back_after_signing_in(ann, client):
    response = client.get("/account/")
    assert response.status_code == 302
    sign_in_url = response.headers["Location"]
    assert sign_in_url.startswith("/account/sign-in?next=")

    page = client.get(sign_in_url)
    assert "Please sign in to see that page." in text_of(page)
    assert hidden_value(page, "next") == "/account/"
    response = post_form(client, sign_in_url, "/account/sign-in", {
        "email": "ann@example.org", "password": "correct horse 1",
        "next": hidden_value(page, "next"),
    })

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
