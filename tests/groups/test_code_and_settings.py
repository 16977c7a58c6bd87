"""Facilitators manage the join code and the group's settings; nobody else can."""

from datetime import UTC, datetime, timedelta

import pytest

from casebook.accounts.models import User
from casebook.db import utcnow
from tests.conftest import db, post_form
from tests.groups.conftest import group_row, text


def overview(world):
    return f"/groups/{world.group}"


def test_rotating_shows_the_new_code_and_retires_the_old_one(app, world, as_):
    fay = as_("fay")
    response = post_form(fay, overview(world), f"{overview(world)}/code/rotate")
    assert response.status_code == 302
    new_code = group_row(app, world.group).join_code
    body = text(fay.get(response.headers["Location"]))

    assert new_code != world.code
    pretty = f"{new_code[:5]}-{new_code[5:]}"
    assert f"The new join code is {pretty}. The old code and invite link no longer work." in body
    assert f"http://localhost/join/{new_code}" in body
    assert world.code not in body


def test_rotating_keeps_a_future_expiry(app, world, as_):
    later = utcnow().replace(microsecond=0) + timedelta(days=2)
    with db(app) as session:
        from casebook.groups.models import Group
        session.get(Group, world.group).join_code_expires_at = later
        session.commit()
    post_form(as_("fay"), overview(world), f"{overview(world)}/code/rotate")
    assert group_row(app, world.group).join_code_expires_at == later


def test_switching_joining_off_and_back_on(app, world, as_):
    fay = as_("fay")
    off = post_form(fay, overview(world), f"{overview(world)}/code/disable", follow_redirects=True)
    body = text(off)
    assert "Joining is switched off: the code and invite link no longer work." in body
    assert "Joining is switched off. Nobody can join with a code or invite link." in body
    assert "Turn joining back on" in body
    assert "/join/" not in off.get_data(as_text=True).replace('action="/join', "")
    assert group_row(app, world.group).join_code is None

    on = post_form(fay, overview(world), f"{overview(world)}/code/rotate", follow_redirects=True)
    code = group_row(app, world.group).join_code
    assert code is not None and code != world.code
    assert "Joining is switched on again with the new code" in text(on)


def test_setting_an_expiry_reads_it_in_the_facilitators_timezone(app, world, as_):
    with db(app) as session:
        session.get(User, world.fay).timezone = "Europe/Paris"
        session.commit()
    fay = as_("fay")
    response = post_form(fay, overview(world), f"{overview(world)}/code/expiry",
                         {"expires_at": "2031-07-01T18:30"}, follow_redirects=True)

    stored = group_row(app, world.group).join_code_expires_at
    assert stored == datetime(2031, 7, 1, 16, 30, tzinfo=UTC)  # CEST is UTC+2
    body = text(response)
    assert "The join code now stops working at 1 Jul 2031, 18:30 CEST." in body
    assert 'value="2031-07-01T18:30"' in response.get_data(as_text=True)

    cleared = post_form(fay, overview(world), f"{overview(world)}/code/expiry",
                        {"expires_at": ""}, follow_redirects=True)
    assert group_row(app, world.group).join_code_expires_at is None
    assert "The join code no longer expires." in text(cleared)
    assert "Doesn't expire" in text(cleared)


def test_an_expiry_in_the_past_is_refused_next_to_the_field(app, world, as_):
    response = post_form(as_("fay"), overview(world), f"{overview(world)}/code/expiry",
                         {"expires_at": "2020-01-01T09:00"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="expires_at-error"' in html
    assert "Choose a time in the future, or leave it empty for no expiry." in text(response)
    assert group_row(app, world.group).join_code_expires_at is None


def test_a_malformed_expiry_is_refused(app, world, as_):
    response = post_form(as_("fay"), overview(world), f"{overview(world)}/code/expiry",
                         {"expires_at": "next tuesday"})
    assert response.status_code == 422
    assert 'id="expires_at-error"' in response.get_data(as_text=True)
    assert group_row(app, world.group).join_code_expires_at is None


@pytest.mark.parametrize("name", ["mo", "pat", "ada"])
@pytest.mark.parametrize("action", ["rotate", "disable", "expiry"])
def test_only_facilitators_manage_the_code(app, world, as_, name, action):
    response = post_form(as_(name), "/groups/", f"{overview(world)}/code/{action}",
                         {"expires_at": "2031-01-01T10:00"})
    assert response.status_code == 403
    group = group_row(app, world.group)
    assert (group.join_code, group.join_code_expires_at) == (world.code, None)


def settings_data(**changes):
    data = {"name": "Ethics seminar (spring)", "description": "New **rules**",
            "kind": "reading", "requires_approval": "y", "premoderation": "first",
            "premoderation_first_n": "5"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_facilitators_edit_the_settings(app, world, as_):
    fay = as_("fay")
    page = fay.get(f"{overview(world)}/settings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Ethics seminar"' in html
    assert "Number of first posts to hold" in text(page)

    response = post_form(fay, f"{overview(world)}/settings", f"{overview(world)}/settings",
                         settings_data())
    assert response.status_code == 302
    group = group_row(app, world.group)
    assert (group.name, group.kind, group.requires_approval) == (
        "Ethics seminar (spring)", "reading", True)
    assert (group.premoderation, group.premoderation_first_n) == ("first", 5)
    body = text(fay.get(response.headers["Location"]))
    assert "The group's settings are saved." in body
    assert "Reading group" in body
    assert "<strong>rules</strong>" in fay.get(overview(world)).get_data(as_text=True)


def test_all_posts_premoderation_and_turning_approval_off(app, world, as_):
    post_form(as_("fay"), f"{overview(world)}/settings", f"{overview(world)}/settings",
              settings_data(premoderation="all", premoderation_first_n="", requires_approval=None))
    group = group_row(app, world.group)
    assert (group.premoderation, group.premoderation_first_n) == ("all", 3)
    assert group.requires_approval is False


@pytest.mark.parametrize(("n", "message"), [
    ("0", "Enter a number from 1 to 50."),
    ("51", "Enter a number from 1 to 50."),
    ("", "Enter how many first posts to hold, from 1 to 50."),
])
def test_the_first_posts_number_must_be_1_to_50(app, world, as_, n, message):
    response = post_form(as_("fay"), f"{overview(world)}/settings", f"{overview(world)}/settings",
                         settings_data(premoderation_first_n=n))
    assert response.status_code == 422
    assert message in text(response)
    assert 'id="premoderation_first_n-error"' in response.get_data(as_text=True)
    group = group_row(app, world.group)
    assert (group.name, group.premoderation) == ("Ethics seminar", "off")


def test_settings_need_a_name_and_a_known_premoderation(app, world, as_):
    response = post_form(as_("fay"), f"{overview(world)}/settings", f"{overview(world)}/settings",
                         settings_data(name="", premoderation="sometimes"))
    assert response.status_code == 422
    body = text(response)
    assert "Enter a name for the group." in body
    assert "Choose when posts wait for a moderator." in body
    assert group_row(app, world.group).name == "Ethics seminar"


@pytest.mark.parametrize("name", ["mo", "pat", "ada"])
def test_only_facilitators_open_or_change_settings(app, world, as_, name):
    client = as_(name)
    assert client.get(f"{overview(world)}/settings").status_code == 403
    response = post_form(client, "/groups/", f"{overview(world)}/settings", settings_data())
    assert response.status_code == 403
    assert group_row(app, world.group).name == "Ethics seminar"
