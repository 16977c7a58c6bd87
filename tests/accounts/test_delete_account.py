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

PASSWORD = "correct horse 1"


@pytest.fixture
def signed_in(app, client):
    create_account(app, email="ann@example.org", password=PASSWORD)
    sign_in(client)
    assert is_signed_in(client)
    return client


def delete(client, **data):
    return post_form(client, "/account/", "/account/delete", data)


def test_the_password_is_required(app, signed_in):
    response = delete(signed_in, password="", understood="y")

    assert response.status_code == 422
    assert_field_error(response, "password", "Enter your password to confirm.")
    assert_no_field_error(response, "understood")
    assert find_user(app, "ann@example.org") is not None
    assert is_signed_in(signed_in)


def test_the_box_must_be_ticked(app, signed_in):
    response = delete(signed_in, password=PASSWORD)

    assert response.status_code == 422
    assert_field_error(response, "understood", "Tick the box to confirm.")
    assert_no_field_error(response, "password")
    assert find_user(app, "ann@example.org") is not None
    assert is_signed_in(signed_in)


def test_a_wrong_password_deletes_nothing(app, signed_in):
    response = delete(signed_in, password="not my password", understood="y")

    assert response.status_code == 422
    assert_field_error(response, "password", "That is not your password.")
    assert find_user(app, "ann@example.org") is not None
    assert is_signed_in(signed_in)


def test_the_password_change_form_shows_no_errors_when_deletion_fails(signed_in):
    response = delete(signed_in, password="", understood="")

    assert_no_field_error(response, "current_password")
    assert_no_field_error(response, "new_password")


def test_deleting_signs_out_and_removes_the_account(app, signed_in):
    other = app.test_client()
    sign_in(other)

    response = delete(signed_in, password=PASSWORD, understood="y")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Your account has been deleted." in text_of(signed_in.get("/"))
    assert not is_signed_in(signed_in)
    assert not is_signed_in(other)
    assert find_user(app, "ann@example.org") is None
    assert user_count(app) == 0
    assert sign_in(app.test_client()).status_code == 422


def test_the_email_can_register_again_after_deletion(app, signed_in):
    delete(signed_in, password=PASSWORD, understood="y")

    response = register(app.test_client(), email="ANN@example.org", name="Ann Again")

    assert response.status_code == 302
    assert find_user(app, "ann@example.org").display_name == "Ann Again"
    assert user_count(app) == 1


def test_deleting_needs_signing_in(app, client):
    create_account(app, email="ann@example.org", password=PASSWORD)

    response = post_form(client, "/account/sign-in", "/account/delete",
                         {"password": PASSWORD, "understood": "y"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in")
    assert find_user(app, "ann@example.org") is not None


def test_the_only_facilitator_of_a_group_with_members_cannot_delete_yet(app, signed_in):
    from tests.conftest import db
    from tests.factories import add_member, make_group, make_user

    with db(app) as session:
        ann = find_user(app, "ann@example.org")
        group = make_group(session, session.merge(ann), name="Tuesday seminar")
        add_member(session, group, make_user(session, "Pat Participant"))
        group_id = group.id

    response = delete(signed_in, password=PASSWORD, understood="y")
    assert response.status_code == 422
    assert_field_error(response, "understood",
                       "You are the only facilitator of “Tuesday seminar”.")
    assert find_user(app, "ann@example.org") is not None

    with db(app) as session:
        from casebook.groups import service as groups

        pat = groups.active_members(session, session.get(groups.Group, group_id))[-1]
        groups.set_role(session, pat.group, pat, "facilitator")
    response = delete(signed_in, password=PASSWORD, understood="y")
    assert response.status_code == 302
    assert find_user(app, "ann@example.org") is None
