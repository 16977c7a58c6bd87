"""Presets fill a new group's settings and its discussions' defaults; each stays editable."""

import re

import pytest
from sqlalchemy import select

from casebook.cases.service import get_case
from casebook.groups.models import Group
from tests.conftest import db, post_form, register


def create(client, preset: str, **extra):
    return post_form(client, "/groups/new", "/groups/new",
                     {"name": f"A {preset} group", "preset": preset, **extra})


def checked(html: str, name: str) -> set[str]:
    """The values of the ticked boxes or chosen radio buttons called ``name``."""
    found = set()
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and "checked" in tag:
            found.add(re.search(r'value="([^"]*)"', tag).group(1))
    return found


@pytest.mark.parametrize(("preset", "expected"), [
    ("seminar", {"kind": "seminar", "premoderation": "off", "default_identity": "named",
                 "default_release": "staged", "default_post_first": True,
                 "default_post_first_stage": "decide", "default_police_prompts": False}),
    ("police", {"kind": "police", "premoderation": "first",
                "default_identity": "pseudonymous", "default_release": "staged",
                "default_post_first": True, "default_post_first_stage": None,
                "default_police_prompts": True}),
    ("reading", {"kind": "reading", "premoderation": "off", "default_identity": "named",
                 "default_release": "all", "default_post_first": False,
                 "default_police_prompts": False}),
])
def test_a_preset_fills_the_settings_it_names(app, client, preset, expected):
    register(client)
    page = client.get("/groups/new").get_data(as_text=True)
    assert "<legend>Preset</legend>" in page and "Police training" in page
    assert create(client, preset).status_code == 302
    with db(app) as session:
        group = session.scalar(select(Group))
        assert {key: getattr(group, key) for key in expected} == expected


def test_custom_needs_a_kind_and_keeps_plain_defaults(app, client):
    register(client)
    refused = create(client, "custom")
    assert refused.status_code == 422
    assert 'id="kind-error">Choose what kind of group this is.' in refused.get_data(as_text=True)
    assert create(client, "custom", kind="reading").status_code == 302
    with db(app) as session:
        group = session.scalar(select(Group))
        assert (group.kind, group.premoderation, group.default_release) == ("reading", "off",
                                                                            "all")


def test_the_presets_defaults_are_offered_and_editable(app, client, cases):
    register(client)
    location = create(client, "reading").headers["Location"]
    gid = int(location.rsplit("/", 1)[1])
    new = client.get(f"/groups/{gid}/discussions/new?case=online-vigilantes")
    html = new.get_data(as_text=True)
    assert checked(html, "release") == {"all"} and checked(html, "post_first") == set()
    with db(app) as session:
        case = get_case(session, "online-vigilantes")
        police = {str(p.id) for p in case.prompts if p.lens in ("ndm", "code-of-ethics")}
        everything = {str(p.id) for p in case.prompts if not p.retired}
    assert police, "the case has policing prompts"
    assert checked(html, "prompts") == everything - police

    # The facilitator changes the defaults in the group's settings.
    settings = f"/groups/{gid}/settings"
    response = post_form(client, settings, settings, {
        "name": "A reading group", "kind": "reading", "premoderation": "off",
        "default_identity": "pseudonymous", "default_release": "staged",
        "default_post_first": "y", "default_police_prompts": "y",
    })
    assert response.status_code == 302
    html = client.get(f"/groups/{gid}/discussions/new?case=online-vigilantes")\
        .get_data(as_text=True)
    assert checked(html, "release") == {"staged"} and checked(html, "post_first") == {"y"}
    assert checked(html, "identity") == {"pseudonymous"}
    assert checked(html, "prompts") == everything
