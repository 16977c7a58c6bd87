"""Confirming an email address by emailed link, through a real local SMTP server."""

from datetime import timedelta
from unittest import mock

from casebook.accounts import service
from casebook.db import utcnow
from tests.accounts.pages import find_user, text_of
from tests.conftest import db, post_form, register, signed_in

ANN = "ann@example.org"


def path_of(link: str) -> str:
    return "/" + link.split("//", 1)[1].partition("/")[2]


def test_registering_sends_a_link_that_confirms_the_address(mail_app, smtp):
    client = mail_app.test_client()
    register(client, email=ANN)

    assert "Not confirmed yet" in text_of(client.get("/account/"))
    [message] = smtp.to(ANN)
    assert message["Subject"] == "Confirm your email address for Casebook"
    assert "Hello Ann Example" in message.get_content()

    response = client.get(path_of(smtp.link_to(ANN, "/account/verify/")))

    assert response.status_code == 302
    page = text_of(client.get("/account/"))
    assert "Thank you: ann@example.org is confirmed." in page
    assert "Confirmed" in page and "Not confirmed yet" not in page
    assert "Send again" not in page


def test_send_again_mails_a_new_link(mail_app, smtp):
    with db(mail_app) as session:
        user = service.register(session, email=ANN, display_name="Ann", password="x" * 12)
    client = signed_in(mail_app, user)
    assert smtp.messages == []

    response = post_form(client, "/account/", "/account/verification")

    assert response.status_code == 302
    assert "We have sent a confirmation link to ann@example.org." in text_of(
        client.get("/account/"))
    link = smtp.link_to(ANN, "/account/verify/")
    # Following it signed out works too and leads to sign in.
    assert mail_app.test_client().get(path_of(link)).headers["Location"] == "/account/sign-in"
    assert find_user(mail_app, ANN).email_verified_at is not None


def test_a_link_for_an_old_address_or_too_old_is_refused(mail_app, smtp):
    client = mail_app.test_client()
    register(client, email=ANN)
    link = path_of(smtp.link_to(ANN, "/account/verify/"))

    later = utcnow() + timedelta(days=8)
    with mock.patch("itsdangerous.timed.time.time", return_value=later.timestamp()):
        expired = client.get(link)
    assert expired.status_code == 404
    assert "This link no longer works" in text_of(expired)

    with db(mail_app) as session:
        user = service.find_by_email(session, ANN)
        user.email, user.email_key = "ann@elsewhere.org", "ann@elsewhere.org"
        session.commit()
    assert client.get(link).status_code == 404
    assert find_user(mail_app, "ann@elsewhere.org").email_verified_at is None


def test_without_smtp_the_account_page_says_mail_cannot_be_sent(client):
    register(client, email=ANN)
    assert "This site cannot send email yet" in text_of(client.get("/account/"))
