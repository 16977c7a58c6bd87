"""Password reset by emailed link, through a real local SMTP server."""

import logging
from datetime import timedelta
from unittest import mock

from casebook.db import utcnow
from tests.accounts.pages import assert_field_error, create_account, find_user, text_of
from tests.conftest import ANY_PAGE, make_test_app, post_form, sign_in

OLD = "correct horse 1"
NEW = "a brand new password"
ANN = "ann@example.org"


def ask_for_reset(client, email=ANN):
    return post_form(client, "/account/forgot-password", "/account/forgot-password",
                     {"email": email})


def reset(client, link, password=NEW, confirm=None):
    path = "/" + link.split("//", 1)[1].partition("/")[2]
    # The sign-in page's token: a dead link's page has no form to take one from.
    return post_form(client, ANY_PAGE, path,
                     {"new_password": password, "confirm": confirm or password})


def test_the_sign_in_page_links_to_the_reset_form(mail_app):
    page = text_of(mail_app.test_client().get("/account/sign-in"))
    assert "Forgot your password?" in page


def test_the_emailed_link_sets_a_new_password_once(mail_app, smtp):
    create_account(mail_app, email=ANN, password=OLD)
    client = mail_app.test_client()

    response = ask_for_reset(client)

    assert response.status_code == 200
    assert "Check your email" in text_of(response)
    [message] = smtp.to(ANN)
    assert message["Subject"] == "Reset your Casebook password"
    assert "within 60 minutes" in message.get_content()
    link = smtp.link_to(ANN, "/account/reset-password/")
    assert link.startswith("http://localhost/account/reset-password/")

    response = reset(client, link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/sign-in"
    assert sign_in(mail_app.test_client(), password=NEW).status_code == 302
    assert sign_in(mail_app.test_client(), password=OLD).status_code == 422

    # Used once, the link is dead, even for a second new password.
    again = reset(mail_app.test_client(), link, password="yet another password")
    assert again.status_code == 404
    assert "This link no longer works" in text_of(again)
    assert sign_in(mail_app.test_client(), password=NEW).status_code == 302


def test_an_unknown_address_gets_the_same_page_and_no_mail(mail_app, smtp):
    create_account(mail_app, email=ANN, password=OLD)

    known = ask_for_reset(mail_app.test_client(), ANN)
    unknown = ask_for_reset(mail_app.test_client(), "nobody@example.org")

    assert unknown.status_code == known.status_code == 200
    assert text_of(unknown).replace("nobody@example.org", ANN) == text_of(known)
    assert [m["To"] for m in smtp.messages] == [ANN]


def test_an_expired_or_altered_link_is_refused(mail_app, smtp):
    create_account(mail_app, email=ANN, password=OLD)
    ask_for_reset(mail_app.test_client())
    link = smtp.link_to(ANN, "/account/reset-password/")

    assert reset(mail_app.test_client(), link[:-3] + "abc").status_code == 404
    later = utcnow() + timedelta(minutes=61)
    with mock.patch("itsdangerous.timed.time.time", return_value=later.timestamp()):
        assert reset(mail_app.test_client(), link).status_code == 404
    assert sign_in(mail_app.test_client(), password=OLD).status_code == 302


def test_resetting_signs_out_other_browsers_and_confirms_the_address(mail_app, smtp):
    create_account(mail_app, email=ANN, password=OLD)
    elsewhere = mail_app.test_client()
    sign_in(elsewhere, password=OLD)
    ask_for_reset(mail_app.test_client())

    reset(mail_app.test_client(), smtp.link_to(ANN, "/account/reset-password/"))

    assert elsewhere.get("/account/").status_code == 302
    assert find_user(mail_app, ANN).email_verified_at is not None


def test_the_new_password_follows_the_password_rules(mail_app, smtp):
    create_account(mail_app, email=ANN, password=OLD)
    ask_for_reset(mail_app.test_client())
    link = smtp.link_to(ANN, "/account/reset-password/")

    short = reset(mail_app.test_client(), link, password="short")
    mismatch = reset(mail_app.test_client(), link, confirm="something else entirely")

    assert short.status_code == mismatch.status_code == 422
    assert_field_error(short, "new_password", "Use at least 10 characters.")
    assert_field_error(mismatch, "confirm", "The two passwords do not match.")
    assert sign_in(mail_app.test_client(), password=OLD).status_code == 302


def test_a_bad_email_is_a_field_error(mail_app):
    response = ask_for_reset(mail_app.test_client(), "not an address")
    assert response.status_code == 422
    assert_field_error(response, "email", "Enter an email address like name@example.org.")


def test_requests_are_rate_limited_per_address(database_url, tmp_instance, smtp):
    app = make_test_app(database_url, PASSWORD_RESET_RATE_LIMIT="2 per minute",
                        SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=False)
    try:
        create_account(app, email=ANN, password=OLD)
        client = app.test_client()
        codes = [ask_for_reset(client).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert len(smtp.to(ANN)) == 2
    finally:
        from tests.conftest import _empty_database

        _empty_database(app.extensions["casebook.engine"])
        app.extensions["casebook.engine"].dispose()


def test_without_smtp_the_page_says_so_and_the_link_goes_to_the_log(app, caplog):
    create_account(app, email=ANN, password=OLD)

    with caplog.at_level(logging.WARNING):
        response = ask_for_reset(app.test_client())

    assert "This site cannot send email yet" in text_of(response)
    assert "This site cannot send email yet" in text_of(
        app.test_client().get("/account/forgot-password"))
    assert "Reset your Casebook password" in caplog.text
    assert "/account/reset-password/" in caplog.text
