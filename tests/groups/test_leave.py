"""Leaving a group; the last facilitator can't."""

from tests.conftest import post_form
from tests.groups.conftest import membership, text


def test_a_participant_leaves_and_loses_access(app, world, as_):
    pat = as_("pat")
    response = post_form(pat, f"/groups/{world.group}", f"/groups/{world.group}/leave")

    assert response.status_code == 302
    assert response.headers["Location"] == "/groups/"
    body = text(pat.get("/groups/"))
    assert "You have left Ethics seminar." in body
    assert "You are not in any group yet." in body
    assert membership(app, world.group, world.pat).status == "left"
    assert pat.get(f"/groups/{world.group}").status_code == 404


def test_a_facilitator_may_leave_when_another_remains(app, world, as_):
    fay = as_("fay")
    post_form(fay, f"/groups/{world.group}/members",
              f"/groups/{world.group}/members/{world.mo_m}/role", {"role": "facilitator"})
    assert "Leave group" in text(fay.get(f"/groups/{world.group}"))
    post_form(fay, f"/groups/{world.group}", f"/groups/{world.group}/leave")
    assert membership(app, world.group, world.fay).status == "left"


def test_the_last_facilitator_is_told_why_they_cannot_leave(app, world, as_):
    fay = as_("fay")
    page = text(fay.get(f"/groups/{world.group}"))
    assert "Leave group" not in page
    assert "You are this group's only facilitator." in page

    response = post_form(fay, f"/groups/{world.group}", f"/groups/{world.group}/leave")
    assert response.status_code == 409
    assert ("You are the only facilitator. Make someone else a facilitator before you leave."
            in text(response))
    member = membership(app, world.group, world.fay)
    assert (member.status, member.role) == ("active", "facilitator")
