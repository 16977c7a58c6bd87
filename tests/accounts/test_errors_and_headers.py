import pytest

from tests.accounts.pages import create_account, text_of
from tests.conftest import sign_in

PAGES = ["/", "/account/sign-in", "/account/register"]


@pytest.fixture
def failing_app(make_app):
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING would re-raise instead

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals: db password hunter2")

    return app


def test_a_server_error_shows_the_branded_page_without_a_traceback(failing_app):
    response = failing_app.test_client().get("/boom")

    body = text_of(response)
    assert response.status_code == 500
    assert "Error 500" in body
    assert "Something went wrong on our side" in body
    assert 'class="site-header"' in body
    assert "Traceback" not in body
    assert "RuntimeError" not in body
    assert "hunter2" not in body
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_an_unknown_page_shows_the_branded_404(client):
    response = client.get("/account/no-such-page")

    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert 'class="site-header"' in text_of(response)


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)

    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_account_page_carries_the_security_headers(app, client):
    create_account(app)
    sign_in(client)

    response = client.get("/account/")

    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_error_pages_carry_the_security_headers(client):
    response = client.get("/account/sign-out")

    assert response.status_code == 405
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts(client):
    for path in PAGES:
        body = text_of(client.get(path))
        assert "<script>" not in body
        assert "onclick=" not in body.lower()
