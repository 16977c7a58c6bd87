"""The members page: who sees it, role changes, removal, and the moderation log."""

import re

import pytest

from tests.conftest import post_form
from tests.groups.conftest import log_entries, membership, text


def members_url(world):
    return f"/groups/{world.group}/members"


def role_url(world, member_id):
    return f"/groups/{world.group}/members/{member_id}/role"


def remove_url(world, member_id):
    return f"/groups/{world.group}/members/{member_id}/remove"


def row(html: str, name: str) -> str:
    match = re.search(rf"<tr>\s*<th scope=\"row\"[^>]*>{name}.*?</tr>", html, flags=re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def test_facilitators_see_names_pseudonyms_roles_and_controls(world, as_):
    response = as_("fay").get(members_url(world))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    body = text(response)

    assert "3 members" in body
    assert "Fay Facilitator (you) Participant 1 Facilitator" in body
    assert "Mo Moderator Participant 2 Moderator" in body
    assert "Pat Participant Participant 3 Participant" in body
    assert "Olu Outsider" not in body
    assert 'label for="role-' in row(html, "Pat Participant")
    assert "Remove from group" in row(html, "Mo Moderator")
    assert "Remove from group" not in row(html, "Fay Facilitator")
    assert "<time datetime=" in row(html, "Pat Participant")


def test_participants_may_not_see_the_member_list(world, as_):
    assert as_("pat").get(members_url(world)).status_code == 403


def test_moderators_see_the_list_but_can_only_remove_participants(world, as_):
    html = as_("mo").get(members_url(world)).get_data(as_text=True)

    assert "Change role" not in html
    assert "Remove from group" in row(html, "Pat Participant")
    assert "Remove from group" not in row(html, "Fay Facilitator")
    assert "Remove from group" not in row(html, "Mo Moderator")


def test_site_admins_see_the_list_read_only(world, as_):
    response = as_("ada").get(members_url(world))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Pat Participant" in html
    assert "Change role" not in html
    assert "Remove from group" not in html


def test_a_facilitator_promotes_a_participant_and_it_is_logged(app, world, as_):
    fay = as_("fay")
    response = post_form(fay, members_url(world), role_url(world, world.pat_m),
                         {"role": "moderator"})

    assert response.status_code == 302
    assert "Pat Participant is now a moderator." in text(fay.get(response.headers["Location"]))
    assert membership(app, world.group, world.pat).role == "moderator"
    (entry,) = log_entries(app, world.group)
    assert (entry.action, entry.actor_id, entry.target_user_id) == (
        "changed role", world.fay, world.pat)
    assert entry.details == {"from": "participant", "to": "moderator"}


def test_choosing_the_same_role_changes_and_logs_nothing(app, world, as_):
    fay = as_("fay")
    response = post_form(fay, members_url(world), role_url(world, world.mo_m),
                         {"role": "moderator"}, follow_redirects=True)
    assert "Mo Moderator is already a moderator." in text(response)
    assert log_entries(app, world.group) == []


def test_an_unknown_role_is_refused(app, world, as_):
    response = post_form(as_("fay"), members_url(world), role_url(world, world.pat_m),
                         {"role": "owner"})
    assert response.status_code == 422
    assert membership(app, world.group, world.pat).role == "participant"


def test_the_last_facilitator_cannot_be_demoted(app, world, as_):
    response = post_form(as_("fay"), members_url(world), role_url(world, world.fay_m),
                         {"role": "participant"})

    assert response.status_code == 409
    assert ("A group needs at least one facilitator. Promote someone else first."
            in text(response))
    assert membership(app, world.group, world.fay).role == "facilitator"
    assert log_entries(app, world.group) == []


def test_a_facilitator_can_step_down_once_there_is_another(app, world, as_):
    fay = as_("fay")
    post_form(fay, members_url(world), role_url(world, world.mo_m), {"role": "facilitator"})
    response = post_form(fay, members_url(world), role_url(world, world.fay_m),
                         {"role": "participant"})

    assert response.headers["Location"] == f"/groups/{world.group}"  # no list for her now
    assert membership(app, world.group, world.fay).role == "participant"
    assert [e.details["to"] for e in log_entries(app, world.group)] == [
        "facilitator", "participant"]


@pytest.mark.parametrize("target", ["pat_m", "fay_m"])
def test_moderators_cannot_change_roles(app, world, as_, target):
    response = post_form(as_("mo"), members_url(world), role_url(world, getattr(world, target)),
                         {"role": "moderator"})
    assert response.status_code == 403
    assert membership(app, world.group, world.pat).role == "participant"
    assert membership(app, world.group, world.fay).role == "facilitator"


def test_participants_cannot_change_roles_or_remove(app, world, as_):
    pat = as_("pat")
    assert post_form(pat, "/groups/", role_url(world, world.pat_m),
                     {"role": "facilitator"}).status_code == 403
    assert post_form(pat, "/groups/", remove_url(world, world.mo_m)).status_code == 403
    assert membership(app, world.group, world.pat).role == "participant"
    assert membership(app, world.group, world.mo).is_active


def test_a_facilitator_removes_a_member_with_a_reason(app, world, as_):
    fay = as_("fay")
    response = post_form(fay, members_url(world), remove_url(world, world.mo_m),
                         {"reason": "Shared a screenshot outside the group"}, follow_redirects=True)

    assert "Mo Moderator has been removed from the group and can no longer see it." in text(
        response)
    assert 'data-label="Name">Mo Moderator' not in response.get_data(as_text=True)
    assert "2 members" in text(response)
    assert membership(app, world.group, world.mo).status == "removed"
    (entry,) = log_entries(app, world.group)
    assert (entry.action, entry.actor_id, entry.target_user_id, entry.reason) == (
        "removed member", world.fay, world.mo, "Shared a screenshot outside the group")


def test_a_removed_member_loses_access_at_once(app, world, as_):
    mo = as_("mo")
    assert mo.get(members_url(world)).status_code == 200
    post_form(as_("fay"), members_url(world), remove_url(world, world.mo_m))

    for url in (f"/groups/{world.group}", members_url(world),
                f"/groups/{world.group}/settings"):
        assert mo.get(url).status_code == 404
    assert post_form(mo, "/groups/", remove_url(world, world.pat_m)).status_code == 404
    assert membership(app, world.group, world.pat).is_active
    assert "Ethics seminar" not in text(mo.get("/groups/"))


def test_a_facilitator_lets_a_removed_member_back_in_as_a_participant(app, world, as_):
    fay, mo = as_("fay"), as_("mo")
    post_form(fay, members_url(world), remove_url(world, world.mo_m))
    page = text(fay.get(members_url(world)))
    assert "Removed from the group" in page
    assert "Mo Moderator (Participant 2)" in page
    readmit_url = f"/groups/{world.group}/members/{world.mo_m}/readmit"
    # Only facilitators decide this; the removed person cannot do it themselves.
    assert post_form(mo, "/groups/", readmit_url).status_code == 404
    assert post_form(as_("pat"), "/groups/", readmit_url).status_code == 403

    response = post_form(fay, members_url(world), readmit_url, follow_redirects=True)
    assert "Mo Moderator is a participant again." in text(response)
    again = membership(app, world.group, world.mo)
    assert (again.status, again.role, again.pseudonym) == ("active", "participant",
                                                           "Participant 2")
    assert mo.get(f"/groups/{world.group}").status_code == 200
    assert log_entries(app, world.group)[-1].action == "re-admitted member"
    # An active member is not "re-admitted".
    assert post_form(fay, members_url(world), readmit_url).status_code == 403


def test_moderators_remove_participants_but_not_facilitators(app, world, as_):
    mo = as_("mo")
    assert post_form(mo, members_url(world), remove_url(world, world.fay_m)).status_code == 403
    assert membership(app, world.group, world.fay).is_active

    response = post_form(mo, members_url(world), remove_url(world, world.pat_m),
                         {"reason": ""})
    assert response.status_code == 302
    assert membership(app, world.group, world.pat).status == "removed"
    (entry,) = log_entries(app, world.group)
    assert (entry.action, entry.actor_id) == ("removed member", world.mo)


def test_nobody_removes_themselves_this_way(app, world, as_):
    assert post_form(as_("fay"), members_url(world),
                     remove_url(world, world.fay_m)).status_code == 403
    assert membership(app, world.group, world.fay).is_active


def test_members_of_another_group_are_not_found_here(app, world, as_):
    fay = as_("fay")
    assert post_form(fay, members_url(world), remove_url(world, world.olu_m)).status_code == 404
    assert post_form(fay, members_url(world), role_url(world, world.olu_m),
                     {"role": "moderator"}).status_code == 404
    assert post_form(fay, members_url(world), role_url(world, 9999),
                     {"role": "moderator"}).status_code == 404
    assert membership(app, world.other, world.olu).is_active
    assert membership(app, world.other, world.olu).role == "participant"


def test_a_removed_membership_cannot_be_acted_on_again(app, world, as_):
    fay = as_("fay")
    post_form(fay, members_url(world), remove_url(world, world.pat_m))
    assert post_form(fay, members_url(world), remove_url(world, world.pat_m)).status_code == 404
    assert post_form(fay, members_url(world), role_url(world, world.pat_m),
                     {"role": "facilitator"}).status_code == 404
    assert len(log_entries(app, world.group)) == 1
