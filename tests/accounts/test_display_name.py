"""Members change the display name others see; their pseudonyms stay as they were."""

import pytest

from casebook.discussion.models import PSEUDONYMOUS
from tests.accounts.pages import (
    assert_field_error,
    create_account,
    elements,
    find_user,
    text_of,
)
from tests.accounts.test_csrf import assert_csrf_refusal
from tests.conftest import db, post_form, sign_in, signed_in
from tests.factories import add_member, make_discussion, make_group, make_user, post


@pytest.fixture
def ann(app, client):
    create_account(app, email="ann@example.org", name="Ann Example")
    sign_in(client)
    return client


def rename(client, name: str, **kwargs):
    return post_form(client, "/account/", "/account/display-name", {"display_name": name},
                     **kwargs)


def test_a_member_changes_their_display_name(app, ann):
    page = ann.get("/account/")
    assert elements(text_of(page))["display_name"]["attrs"]["value"] == "Ann Example"

    response = rename(ann, "  Ann Marsh  ", follow_redirects=True)

    assert response.request.path == "/account/"
    assert "Your display name is now Ann Marsh." in text_of(response)
    assert elements(text_of(response))["display_name"]["attrs"]["value"] == "Ann Marsh"
    assert find_user(app, "ann@example.org").display_name == "Ann Marsh"


@pytest.mark.parametrize("name", ["", "    "])
def test_an_empty_name_is_refused_next_to_the_field(app, ann, name):
    response = rename(ann, name)
    assert response.status_code == 422
    assert_field_error(response, "display_name", "Enter the name others will see.")
    assert find_user(app, "ann@example.org").display_name == "Ann Example"


def test_a_name_of_more_than_80_characters_is_refused(app, ann):
    response = rename(ann, "A" * 81)
    assert response.status_code == 422
    assert_field_error(response, "display_name", "Keep it to 80 characters or fewer.")
    assert find_user(app, "ann@example.org").display_name == "Ann Example"

    # Surrounding spaces do not count against the limit.
    assert rename(ann, f" {'B' * 80} ").status_code == 302
    assert find_user(app, "ann@example.org").display_name == "B" * 80


def test_renaming_needs_the_forms_csrf_token(app, ann):
    response = ann.post("/account/display-name", data={"display_name": "Somebody Else"})
    assert_csrf_refusal(response)
    assert find_user(app, "ann@example.org").display_name == "Ann Example"


def test_renaming_needs_an_account(client):
    response = post_form(client, "/account/sign-in", "/account/display-name",
                         {"display_name": "Somebody"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in")


def test_a_pseudonymous_discussion_still_shows_the_pseudonym(app, cases):
    with db(app) as session:
        fay = make_user(session, "Fay Facilitator")
        ann = make_user(session, "Ann Example")
        ben = make_user(session, "Ben Other")
        group = make_group(session, fay)
        add_member(session, group, ann)
        add_member(session, group, ben)
        discussion = make_discussion(session, group, fay, identity=PSEUDONYMOUS)
        thread = discussion.threads[0]
        post(session, thread, ann, "My answer to the first prompt.")
        url = f"/groups/{group.id}/threads/{thread.id}"
        ann_client, ben_client, fay_client = (signed_in(app, u) for u in (ann, ben, fay))

    assert rename(ann_client, "Ann Marsh").status_code == 302

    peer_view = text_of(ben_client.get(url))
    assert "Participant 2" in peer_view
    assert "Ann Marsh" not in peer_view and "Ann Example" not in peer_view
    # Facilitators see the pseudonym with the new name beside it.
    assert "Participant 2 (Ann Marsh)" in text_of(fay_client.get(url))
