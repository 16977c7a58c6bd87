"""After signing in, ``next`` may only lead to a page on this site."""

import pytest

from casebook.security import safe_next
from tests.accounts.pages import create_account, hidden_value
from tests.conftest import post_form

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "http:/evil",
    "///evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/\r\n/evil.example",
    "HTTPS://evil.example/",
    " https://evil.example/",
    "evil.example",
]


@pytest.fixture
def ann(app):
    create_account(app, email="ann@example.org", password="correct horse 1")


def sign_in_from(client, next_value):
    """Open the sign-in page with ?next=… and submit it as a browser would."""
    page_url = "/account/sign-in"
    page = client.get(page_url, query_string={"next": next_value})
    return post_form(client, page_url + "?" + page.request.query_string.decode(),
                     "/account/sign-in", {
                         "email": "ann@example.org", "password": "correct horse 1",
                         "next": hidden_value(page, "next"),
                     })


def test_a_page_on_this_site_is_followed(ann, client):
    response = sign_in_from(client, "/cases/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/"


def test_a_query_string_on_a_local_next_is_kept(ann, client):
    response = sign_in_from(client, "/cases/?q=grooming")

    assert response.headers["Location"] == "/cases/?q=grooming"


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_next_in_the_link_is_ignored(ann, client, target):
    page = client.get("/account/sign-in", query_string={"next": target})
    assert hidden_value(page, "next") == ""

    response = sign_in_from(client, target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_next_posted_directly_is_ignored(ann, client, target):
    response = post_form(client, "/account/sign-in", "/account/sign-in", {
        "email": "ann@example.org", "password": "correct horse 1", "next": target,
    })

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", [*OFF_SITE, None, ""])
def test_safe_next_refuses_anything_but_a_local_path(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/cases/", "/account/", "/cases/?q=a%2Fb#part"])
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target) == target
