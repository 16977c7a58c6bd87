"""Group existence is private; site admins look but don't touch; every POST needs CSRF."""

import pytest
from sqlalchemy import select

from casebook.groups.models import Group
from tests.conftest import csrf_token, db, post_form, signed_in
from tests.groups.conftest import group_row, join_requests, log_entries, membership, text

GET_PAGES = ["", "/settings", "/members", "/requests"]
POST_ACTIONS = ["/code/rotate", "/code/disable", "/code/expiry", "/leave", "/settings",
                "/members/{pat_m}/role", "/members/{pat_m}/remove", "/requests/1"]


def url(world, suffix):
    return f"/groups/{world.group}" + suffix.format(pat_m=world.pat_m)


def assert_unchanged(app, world):
    group = group_row(app, world.group)
    assert (group.name, group.join_code, group.join_code_expires_at) == (
        "Ethics seminar", world.code, None)
    pat = membership(app, world.group, world.pat)
    assert (pat.status, pat.role) == ("active", "participant")
    assert log_entries(app, world.group) == []


@pytest.mark.parametrize("who", ["olu", None])
@pytest.mark.parametrize("suffix", GET_PAGES)
def test_outsiders_and_signed_out_visitors_get_404_on_group_pages(world, as_, who, suffix):
    response = as_(who).get(url(world, suffix))
    assert response.status_code == 404  # not a redirect to sign in: existence is private
    assert "Page not found" in text(response)
    assert "Ethics seminar" not in text(response)


@pytest.mark.parametrize("who", ["olu", None])
@pytest.mark.parametrize("suffix", POST_ACTIONS)
def test_outsiders_and_signed_out_visitors_get_404_on_group_actions(app, world, as_, who,
                                                                   suffix):
    client = as_(who)
    response = client.post(url(world, suffix), data={
        "csrf_token": csrf_token(client), "role": "facilitator", "decision": "approve",
        "name": "Hijacked", "kind": "seminar", "premoderation": "off",
        "expires_at": "2031-01-01T10:00",
    })
    assert response.status_code == 404
    assert_unchanged(app, world)


def test_a_group_that_does_not_exist_looks_the_same(world, as_):
    olu = as_("olu")
    missing = olu.get("/groups/9999")
    forbidden = olu.get(f"/groups/{world.group}")
    assert missing.status_code == forbidden.status_code == 404
    assert text(missing) == text(forbidden)


def test_site_admins_see_the_overview_read_only(app, world, as_):
    ada = as_("ada")
    response = ada.get(url(world, ""))
    assert response.status_code == 200
    body = text(response)
    assert "Ethics seminar" in body
    assert "You are viewing this group as a site administrator" in body
    assert "Members" in body
    for hidden in (world.code[:4], "Invite people", "Get a new code", "Switch off joining",
                   "Settings", "Join requests", "Leave group", "Your role"):
        assert hidden not in body

    settings = post_form(ada, url(world, ""), url(world, "/settings"), {
        "name": "Hijacked", "kind": "seminar", "premoderation": "off"})
    assert settings.status_code == 403
    assert post_form(ada, url(world, ""), url(world, "/code/rotate")).status_code == 403
    assert post_form(ada, url(world, ""), url(world, "/leave")).status_code == 403
    assert_unchanged(app, world)


def assert_csrf_refusal(response):
    assert response.status_code == 400
    assert "This form expired or was sent from another site." in text(response)


@pytest.mark.parametrize("suffix", POST_ACTIONS[:-1])
def test_group_actions_without_a_csrf_token_change_nothing(app, world, as_, suffix):
    response = as_("fay").post(url(world, suffix), data={
        "role": "facilitator", "name": "Hijacked", "kind": "seminar", "premoderation": "off",
        "expires_at": "2031-01-01T10:00"})
    assert_csrf_refusal(response)
    assert_unchanged(app, world)
    assert membership(app, world.group, world.fay).is_active


def test_creating_and_joining_without_a_csrf_token_change_nothing(app, world, as_, newcomer):
    nia = signed_in(app, newcomer)
    assert_csrf_refusal(nia.post("/groups/new", data={"name": "X", "kind": "seminar"}))
    with db(app) as session:
        assert session.scalar(select(Group).where(Group.name == "X")) is None
    assert_csrf_refusal(nia.post("/join", data={"code": world.code}))
    assert_csrf_refusal(nia.post(f"/join/{world.code}"))
    assert membership(app, world.group, newcomer.id) is None
    assert join_requests(app, world.group) == []


def test_a_wrong_csrf_token_is_refused_too(app, world, as_):
    response = as_("fay").post(url(world, "/code/disable"), data={"csrf_token": "forged"})
    assert_csrf_refusal(response)
    assert_unchanged(app, world)
