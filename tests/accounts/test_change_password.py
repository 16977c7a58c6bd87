import pytest

from tests.accounts.pages import (
    assert_field_error,
    create_account,
    find_user,
    is_signed_in,
    set_cookie,
    text_of,
)
from tests.conftest import post_form, sign_in

OLD = "correct horse 1"
NEW = "a brand new password"


@pytest.fixture
def ann(app):
    create_account(app, email="ann@example.org", password=OLD)


@pytest.fixture
def signed_in(ann, client):
    sign_in(client, password=OLD)
    assert is_signed_in(client)
    return client


def change(client, current=OLD, new=NEW, confirm=None):
    return post_form(client, "/account/", "/account/password", {
        "current_password": current, "new_password": new,
        "confirm": new if confirm is None else confirm,
    })


def can_sign_in(app, password):
    response = sign_in(app.test_client(), password=password)
    assert response.status_code in (302, 422)
    return response.status_code == 302


def test_the_account_page_needs_signing_in(client):
    response = client.get("/account/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in")


def test_a_wrong_current_password_changes_nothing(app, signed_in):
    before = find_user(app, "ann@example.org").password_hash

    response = change(signed_in, current="not my password")

    assert response.status_code == 422
    assert_field_error(response, "current_password", "That is not your current password.")
    assert find_user(app, "ann@example.org").password_hash == before
    assert can_sign_in(app, OLD)
    assert not can_sign_in(app, NEW)
    assert is_signed_in(signed_in)


def test_a_short_new_password_is_rejected(app, signed_in):
    response = change(signed_in, new="too short")

    assert response.status_code == 422
    assert_field_error(response, "new_password", "Use at least 10 characters.")
    assert can_sign_in(app, OLD)


def test_a_mismatched_new_password_is_rejected(app, signed_in):
    response = change(signed_in, confirm="a brand new passwort")

    assert response.status_code == 422
    assert_field_error(response, "confirm", "The two passwords do not match.")
    assert can_sign_in(app, OLD)


def test_a_blank_current_password_is_rejected(app, signed_in):
    response = change(signed_in, current="")

    assert response.status_code == 422
    assert_field_error(response, "current_password", "Enter your current password.")
    assert can_sign_in(app, OLD)


def test_changing_the_password_swaps_old_for_new(app, signed_in):
    response = change(signed_in)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    assert "Your password is changed. Other devices have been signed out." in text_of(
        signed_in.get("/account/")
    )
    assert find_user(app, "ann@example.org").password_hash.startswith("$argon2id$")
    assert can_sign_in(app, NEW)
    assert not can_sign_in(app, OLD)


def test_changing_the_password_signs_out_other_browsers_but_not_this_one(app, signed_in):
    other = app.test_client()
    sign_in(other, password=OLD)
    assert is_signed_in(other)

    assert change(signed_in).status_code == 302

    assert is_signed_in(signed_in)
    assert not is_signed_in(other)


def test_changing_the_password_signs_out_remembered_browsers(app, signed_in):
    remembered = app.test_client()
    sign_in(remembered, password=OLD, remember="y")
    remembered.delete_cookie("session")
    assert is_signed_in(remembered)  # signed in by the remember cookie alone

    assert change(signed_in).status_code == 302

    assert not is_signed_in(remembered)


def test_a_remembered_browser_that_changes_the_password_stays_signed_in(app, ann, client):
    sign_in(client, password=OLD, remember="y")

    assert change(client).status_code == 302
    assert is_signed_in(client)
    client.delete_cookie("session")  # the browser is closed and reopened

    assert is_signed_in(client)


def test_a_browser_not_remembered_is_not_remembered_after_a_change(signed_in):
    response = change(signed_in)

    assert set_cookie(response, "remember_token") is None
    assert signed_in.get_cookie("remember_token") is None
