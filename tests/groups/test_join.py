"""Joining by code or invite link, with and without approval."""

from datetime import timedelta

import pytest

from casebook.db import utcnow
from casebook.groups.models import Group
from tests.conftest import db, post_form, signed_in
from tests.groups.conftest import INVALID_CODE, join_requests, log_entries, membership, text


def spaced_lower(code: str) -> str:
    return f" {code[:3].lower()} {code[3:5]}-{code[5:].lower()} "


def test_joining_by_code_ignores_case_spaces_and_hyphens(app, world, newcomer):
    nia = signed_in(app, newcomer)
    response = post_form(nia, "/join", "/join", {"code": spaced_lower(world.code)})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/join/{world.code}"
    confirm = nia.get(response.headers["Location"])
    body = text(confirm)
    assert "Ethics seminar" in body
    assert "Seminar" in body
    assert "Join this group" in body
    assert membership(app, world.group, newcomer.id) is None  # not until they confirm

    joined = post_form(nia, f"/join/{world.code}", f"/join/{world.code}")
    assert joined.status_code == 302
    assert joined.headers["Location"] == f"/groups/{world.group}"
    member = membership(app, world.group, newcomer.id)
    assert (member.status, member.role, member.pseudonym) == ("active", "participant",
                                                              "Participant 4")
    overview = text(nia.get(joined.headers["Location"]))
    assert "You joined Ethics seminar as a participant." in overview
    assert "Your role: Participant" in overview


def test_the_invite_link_works_in_lower_case_too(app, world, newcomer):
    nia = signed_in(app, newcomer)
    link = f"/join/{world.code.lower()}"
    assert "Join this group" in text(nia.get(link))
    assert post_form(nia, link, link).status_code == 302
    assert membership(app, world.group, newcomer.id).is_active


def test_signed_out_visitors_sign_in_and_come_back_to_the_link(app, world, newcomer):
    visitor = app.test_client()
    response = visitor.get(f"/join/{world.code}")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/account/sign-in?next=%2Fjoin%2F{world.code}"
    signed_in = post_form(visitor, response.headers["Location"], "/account/sign-in", {
        "email": newcomer.email, "password": "correct horse 1",
        "next": f"/join/{world.code}",
    })
    assert signed_in.headers["Location"] == f"/join/{world.code}"
    assert "Ethics seminar" not in text(response)


def test_the_join_form_needs_an_account(client):
    response = client.get("/join")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in?next=")


def test_an_unknown_code_gets_one_message_on_the_form_and_404_on_the_link(app, world,
                                                                         newcomer):
    nia = signed_in(app, newcomer)
    form = post_form(nia, "/join", "/join", {"code": "ZZZZ-ZZZZ"})
    assert form.status_code == 422
    assert INVALID_CODE in text(form)
    assert 'aria-invalid="true"' in form.get_data(as_text=True)

    link = nia.get("/join/ZZZZZZZZ")
    assert link.status_code == 404
    assert INVALID_CODE in text(link)
    assert post_form(nia, "/join", "/join/ZZZZZZZZ").status_code == 404

    empty = post_form(nia, "/join", "/join", {"code": ""})
    assert "Enter the join code your facilitator gave you." in text(empty)


def test_a_rotated_code_stops_working_and_the_new_one_works(app, world, as_, newcomer):
    fay = as_("fay")
    rotated = post_form(fay, f"/groups/{world.group}", f"/groups/{world.group}/code/rotate")
    assert rotated.status_code == 302
    new_code = group_row_code(app, world.group)
    assert new_code != world.code

    nia = signed_in(app, newcomer)
    old = post_form(nia, "/join", "/join", {"code": world.code})
    assert INVALID_CODE in text(old)
    assert nia.get(f"/join/{world.code}").status_code == 404
    assert post_form(nia, "/join", f"/join/{world.code}").status_code == 404
    assert membership(app, world.group, newcomer.id) is None

    assert post_form(nia, "/join", "/join", {"code": new_code}).status_code == 302
    assert post_form(nia, f"/join/{new_code}", f"/join/{new_code}").status_code == 302
    assert membership(app, world.group, newcomer.id).is_active


def group_row_code(app, group_id):
    with db(app) as session:
        return session.get(Group, group_id).join_code


def test_a_disabled_code_does_not_open_the_group(app, world, as_, newcomer):
    fay = as_("fay")
    post_form(fay, f"/groups/{world.group}", f"/groups/{world.group}/code/disable")

    nia = signed_in(app, newcomer)
    assert INVALID_CODE in text(post_form(nia, "/join", "/join", {"code": world.code}))
    link = nia.get(f"/join/{world.code}")
    assert link.status_code == 404
    assert INVALID_CODE in text(link)
    assert membership(app, world.group, newcomer.id) is None


@pytest.mark.parametrize("route", ["form", "link"])
def test_an_expired_code_gets_the_same_message_as_an_unknown_one(app, world, newcomer, route):
    with db(app) as session:
        session.get(Group, world.group).join_code_expires_at = utcnow() - timedelta(minutes=1)
        session.commit()
    nia = signed_in(app, newcomer)

    if route == "form":
        response = post_form(nia, "/join", "/join", {"code": world.code})
        unknown = post_form(nia, "/join", "/join", {"code": "ZZZZZZZZ"})
    else:
        response = nia.get(f"/join/{world.code}")
        unknown = nia.get("/join/ZZZZZZZZ")
    assert response.status_code == unknown.status_code
    assert INVALID_CODE in text(response)
    assert text(response).replace(world.code, "X") == text(unknown).replace("ZZZZZZZZ", "X")
    assert "Ethics seminar" not in text(response)
    assert post_form(nia, "/join", f"/join/{world.code}").status_code == 404
    assert membership(app, world.group, newcomer.id) is None


def test_a_code_with_a_future_expiry_still_works(app, world, newcomer):
    with db(app) as session:
        session.get(Group, world.group).join_code_expires_at = utcnow() + timedelta(hours=1)
        session.commit()
    nia = signed_in(app, newcomer)
    assert post_form(nia, f"/join/{world.code}", f"/join/{world.code}").status_code == 302
    assert membership(app, world.group, newcomer.id).is_active


def test_a_member_joining_again_is_told_so_and_keeps_their_role(app, world, as_):
    mo = as_("mo")
    assert "You are already a member of this group, as moderator." in text(
        mo.get(f"/join/{world.code}"))
    response = post_form(mo, "/groups/", f"/join/{world.code}", follow_redirects=True)
    assert "You are already a member of Ethics seminar." in text(response)
    assert membership(app, world.group, world.mo).role == "moderator"


@pytest.fixture
def approval(app, world):
    with db(app) as session:
        session.get(Group, world.group).requires_approval = True
        session.commit()
    return world


def ask_to_join(app, world, user):
    client = signed_in(app, user)
    return client, post_form(client, f"/join/{world.code}", f"/join/{world.code}")


def test_approval_request_then_approve_makes_a_participant(app, approval, as_, newcomer):
    world = approval
    nia, response = ask_to_join(app, world, newcomer)

    assert response.headers["Location"] == "/groups/"
    mine = text(nia.get("/groups/"))
    assert "Your request to join Ethics seminar has been sent." in mine
    assert "Waiting for approval" in mine
    assert membership(app, world.group, newcomer.id) is None
    assert nia.get(f"/groups/{world.group}").status_code == 404
    assert "waiting for a facilitator" in text(nia.get(f"/join/{world.code}"))

    fay = as_("fay")
    requests_page = text(fay.get(f"/groups/{world.group}/requests"))
    assert "Nia Newcomer" in requests_page
    assert newcomer.email in requests_page
    (request,) = join_requests(app, world.group)
    decided = post_form(fay, f"/groups/{world.group}/requests",
                        f"/groups/{world.group}/requests/{request.id}", {"decision": "approve"})
    assert decided.status_code == 302
    assert "Nia Newcomer is now a participant in Ethics seminar." in text(
        fay.get(decided.headers["Location"]))
    assert "No one is waiting to join." in text(fay.get(f"/groups/{world.group}/requests"))

    member = membership(app, world.group, newcomer.id)
    assert (member.status, member.role) == ("active", "participant")
    assert "Your role: Participant" in text(nia.get(f"/groups/{world.group}"))
    entry = log_entries(app, world.group)[-1]
    assert (entry.action, entry.actor_id, entry.target_user_id) == (
        "approved join request", world.fay, newcomer.id)


def test_approval_request_then_decline_leaves_them_out(app, approval, as_, newcomer):
    world = approval
    nia, _ = ask_to_join(app, world, newcomer)
    (request,) = join_requests(app, world.group)

    fay = as_("fay")
    decided = post_form(fay, f"/groups/{world.group}/requests",
                        f"/groups/{world.group}/requests/{request.id}", {"decision": "decline"},
                        follow_redirects=True)
    assert "You declined Nia Newcomer's request to join." in text(decided)
    assert membership(app, world.group, newcomer.id) is None
    assert nia.get(f"/groups/{world.group}").status_code == 404
    assert join_requests(app, world.group)[0].status == "declined"
    assert log_entries(app, world.group)[-1].action == "declined join request"

    again = post_form(fay, f"/groups/{world.group}/requests",
                      f"/groups/{world.group}/requests/{request.id}", {"decision": "approve"},
                      follow_redirects=True)
    assert "That request has already been dealt with." in text(again)
    assert membership(app, world.group, newcomer.id) is None


def test_a_nonsense_decision_changes_nothing(app, approval, as_, newcomer):
    ask_to_join(app, approval, newcomer)
    (request,) = join_requests(app, approval.group)
    post_form(as_("fay"), f"/groups/{approval.group}/requests",
              f"/groups/{approval.group}/requests/{request.id}", {"decision": "maybe"})
    assert join_requests(app, approval.group)[0].status == "pending"


def test_requests_of_another_group_are_not_found(app, approval, as_, newcomer):
    ask_to_join(app, approval, newcomer)
    (request,) = join_requests(app, approval.group)
    hal = as_("hal")  # facilitator of the other group
    response = post_form(hal, f"/groups/{approval.other}/requests",
                         f"/groups/{approval.other}/requests/{request.id}", {"decision": "approve"})
    assert response.status_code == 404
    assert membership(app, approval.group, newcomer.id) is None


def test_only_facilitators_see_and_decide_requests(app, approval, as_, newcomer):
    ask_to_join(app, approval, newcomer)
    (request,) = join_requests(app, approval.group)
    for name in ("mo", "pat", "ada"):
        client = as_(name)
        assert client.get(f"/groups/{approval.group}/requests").status_code == 403
        response = post_form(client, "/groups/", f"/groups/{approval.group}/requests/{request.id}",
                             {"decision": "approve"})
        assert response.status_code == 403
    assert membership(app, approval.group, newcomer.id) is None


def test_a_removed_member_cannot_rejoin_and_loses_access(app, world, as_):
    fay = as_("fay")
    pat = as_("pat")
    post_form(fay, f"/groups/{world.group}/members",
              f"/groups/{world.group}/members/{world.pat_m}/remove", {"reason": "Named a victim"})

    assert pat.get(f"/groups/{world.group}").status_code == 404
    response = post_form(pat, f"/join/{world.code}", f"/join/{world.code}")
    assert response.status_code == 403
    assert "You were removed from this group. Ask its facilitator to add you." in text(response)
    assert membership(app, world.group, world.pat).status == "removed"
    assert pat.get(f"/groups/{world.group}").status_code == 404


def test_someone_who_left_can_rejoin_with_their_old_pseudonym(app, world, as_):
    pat = as_("pat")
    post_form(pat, f"/groups/{world.group}", f"/groups/{world.group}/leave")
    assert membership(app, world.group, world.pat).status == "left"

    post_form(pat, f"/join/{world.code}", f"/join/{world.code}")
    member = membership(app, world.group, world.pat)
    assert (member.status, member.pseudonym) == ("active", "Participant 3")


def test_join_attempts_are_rate_limited(app, world, newcomer):
    nia = signed_in(app, newcomer)
    token_page = nia.get("/join").get_data(as_text=True)
    from tests.conftest import csrf_from

    token = csrf_from(token_page)
    statuses = [nia.post("/join", data={"csrf_token": token, "code": f"WRONG{i:03d}"}).status_code
                for i in range(21)]
    assert statuses[:20] == [422] * 20
    assert statuses[20] == 429
    # Links share the same budget: moving to them gains nothing.
    assert nia.post("/join/WRONG999", data={"csrf_token": token}).status_code == 429
    assert nia.get("/join/WRONG999").status_code == 429
