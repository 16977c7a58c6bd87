import pytest

from tests.accounts.pages import (
    assert_field_error,
    assert_no_field_error,
    create_account,
    find_user,
    is_signed_in,
    text_of,
    user_count,
)
from tests.conftest import post_form, register, sign_in

GOOD = {
    "display_name": "Ann Example",
    "email": "ann@example.org",
    "password": "correct horse 1",
    "confirm": "correct horse 1",
}


def submit(client, **changes):
    return post_form(client, "/account/register", "/account/register", {**GOOD, **changes})


def test_registering_signs_the_new_user_in(app, client):
    response = register(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert "Welcome, Ann Example. Your account is ready." in text_of(home)
    assert "Sign out" in text_of(home)
    account = client.get("/account/")
    assert account.status_code == 200
    assert "ann@example.org" in text_of(account)
    assert user_count(app) == 1


def test_a_signed_in_user_is_sent_home_from_the_register_page(client):
    register(client)

    response = client.get("/account/register")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("field", "message"), [
    ("display_name", "Enter the name others will see."),
    ("email", "Enter your email address."),
    ("password", "Choose a password."),
])
def test_each_required_field_shows_its_own_message(app, client, field, message):
    response = submit(client, **{field: ""})

    assert response.status_code == 422
    assert_field_error(response, field, message)
    for other in {"display_name", "email"} - {field}:
        assert_no_field_error(response, other)
    assert user_count(app) == 0
    assert not is_signed_in(client)


def test_a_blank_display_name_of_spaces_is_rejected(app, client):
    response = submit(client, display_name="   ")

    assert response.status_code == 422
    assert_field_error(response, "display_name", "Enter the name others will see.")
    assert user_count(app) == 0


def test_an_email_without_a_domain_is_rejected(app, client):
    response = submit(client, email="ann.example.org")

    assert response.status_code == 422
    assert_field_error(response, "email", "Enter an email address like name@example.org.")
    assert user_count(app) == 0


def test_a_password_shorter_than_ten_characters_is_rejected(app, client):
    response = submit(client, password="nine char", confirm="nine char")

    assert response.status_code == 422
    assert_field_error(response, "password", "Use at least 10 characters.")
    assert user_count(app) == 0


def test_a_password_of_exactly_ten_characters_is_accepted(app, client):
    response = submit(client, password="ten chars!", confirm="ten chars!")

    assert response.status_code == 302
    assert user_count(app) == 1


def test_a_mismatched_confirmation_is_rejected(app, client):
    response = submit(client, confirm="correct horse 2")

    assert response.status_code == 422
    assert_field_error(response, "confirm", "The two passwords do not match.")
    assert_no_field_error(response, "password")
    assert user_count(app) == 0


def test_a_missing_confirmation_is_rejected(app, client):
    response = submit(client, confirm="")

    assert response.status_code == 422
    assert_field_error(response, "confirm", "Repeat your password.")
    assert user_count(app) == 0


def test_errors_are_listed_in_a_summary_that_links_to_each_field(client):
    response = submit(client, display_name="", confirm="different password")

    body = text_of(response)
    assert 'role="alert"' in body
    assert "Please correct the highlighted fields" in body
    assert 'href="#display_name"' in body
    assert 'href="#confirm"' in body


def test_the_form_keeps_what_was_typed_except_passwords(client):
    response = submit(client, confirm="correct horse 2")

    body = text_of(response)
    assert 'value="Ann Example"' in body
    assert 'value="ann@example.org"' in body
    assert "correct horse 1" not in body
    assert "correct horse 2" not in body


def test_emails_are_unique_ignoring_case(app):
    first = register(app.test_client(), email="Ann@Example.org")
    assert first.status_code == 302

    second_client = app.test_client()
    response = register(second_client, email="ann@example.org", name="Another Ann")

    assert response.status_code == 422
    assert_field_error(
        response, "email", "An account already uses this email address. Sign in instead."
    )
    assert user_count(app) == 1
    assert find_user(app, "ann@example.org").display_name == "Ann Example"
    assert not is_signed_in(second_client)


def test_an_email_registered_in_mixed_case_signs_in_in_any_case(app, client):
    create_account(app, email="Ann@Example.org")

    response = sign_in(client, email="aNN@eXAMPLE.ORG")

    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_password_is_stored_as_an_argon2id_hash(app, client):
    register(client, password="correct horse 1")

    stored = find_user(app, "ann@example.org").password_hash
    assert stored.startswith("$argon2id$")
    assert "correct horse 1" not in stored


def test_two_accounts_with_the_same_password_get_different_hashes(app):
    register(app.test_client(), email="ann@example.org")
    register(app.test_client(), email="bob@example.org")

    assert (find_user(app, "ann@example.org").password_hash
            != find_user(app, "bob@example.org").password_hash)


def test_a_new_account_is_not_an_administrator(app, client):
    register(client)

    assert find_user(app, "ann@example.org").is_admin is False
    assert "Site administrator" not in text_of(client.get("/account/"))
