import pytest

from tests.accounts.pages import create_account, is_signed_in, set_cookie, text_of
from tests.conftest import csrf_from, sign_in


@pytest.fixture
def ann(app):
    create_account(app, email="ann@example.org", password="correct horse 1")


def test_remember_me_sets_an_httponly_lax_remember_cookie(ann, client):
    response = sign_in(client, remember="y")

    assert response.status_code == 302
    cookie = set_cookie(response, "remember_token")
    assert cookie is not None and cookie["value"]
    assert "httponly" in cookie
    assert cookie.get("samesite") == "Lax"
    assert "expires" in cookie  # outlives the browser session
    assert "secure" not in cookie  # plain-HTTP development default


def test_without_remember_me_there_is_no_remember_cookie(ann, client):
    response = sign_in(client)

    assert response.status_code == 302
    assert set_cookie(response, "remember_token") is None
    assert client.get_cookie("remember_token") is None


def test_a_remembered_browser_stays_signed_in_after_the_session_ends(ann, client):
    sign_in(client, remember="y")
    client.delete_cookie("session")  # the browser was closed

    assert is_signed_in(client)


def test_a_browser_not_remembered_is_signed_out_when_the_session_ends(ann, client):
    sign_in(client)
    client.delete_cookie("session")

    assert not is_signed_in(client)


def test_the_session_cookie_is_httponly_and_lax(ann, client):
    response = sign_in(client)

    cookie = set_cookie(response, "session")
    assert cookie is not None
    assert "httponly" in cookie
    assert cookie.get("samesite") == "Lax"
    assert "secure" not in cookie


def test_casebook_https_makes_every_cookie_secure(make_app, monkeypatch):
    monkeypatch.setenv("CASEBOOK_HTTPS", "1")
    app = make_app()
    create_account(app, email="ann@example.org", password="correct horse 1")
    client = app.test_client()
    # Over HTTPS Flask-WTF also wants a same-origin Referer, as a browser sends.
    https = {"base_url": "https://localhost",
             "headers": {"Referer": "https://localhost/account/sign-in"}}

    page = client.get("/account/sign-in", **https)
    response = client.post("/account/sign-in", data={
        "csrf_token": csrf_from(text_of(page)), "email": "ann@example.org",
        "password": "correct horse 1", "remember": "y",
    }, **https)

    assert response.status_code == 302
    for name in ("session", "remember_token"):
        cookie = set_cookie(response, name)
        assert cookie is not None, f"{name} cookie not set"
        assert "secure" in cookie, f"{name} cookie is not Secure"
        assert "httponly" in cookie
        assert cookie.get("samesite") == "Lax"
    assert "max-age=" in response.headers.get("Strict-Transport-Security", "")


def test_without_casebook_https_there_is_no_hsts_header(make_app, monkeypatch):
    monkeypatch.delenv("CASEBOOK_HTTPS", raising=False)
    client = make_app().test_client()

    assert "Strict-Transport-Security" not in client.get("/account/sign-in").headers
