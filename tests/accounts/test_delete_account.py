import re

import pytest
from sqlalchemy import func, select

from casebook.accounts.models import User
from casebook.discussion import service as discussions
from casebook.discussion import thread_reading
from casebook.discussion.models import (
    ContentNoteAck,
    Post,
    PostRevision,
    ThreadRead,
)
from casebook.groups import joining
from casebook.groups import service as groups
from casebook.groups.models import Group, JoinRequest, Membership
from casebook.moderation import service as moderation
from casebook.moderation.models import ModerationAction, Report
from tests.accounts.pages import (
    assert_field_error,
    assert_no_field_error,
    create_account,
    find_user,
    is_signed_in,
    text_of,
    user_count,
)
from tests.conftest import db, post_form, register, sign_in
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import make_discussion, post, seminar

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


# What deletion erases -----------------------------------------------------------

ANN_WORDS = "Ann's careful answer about vigilantes."


@pytest.fixture
def world(app, cases):
    """The shared seminar. Ann posts (and edits) in it and in a second group, reports
    Ben's post, reads and acknowledges; Mo hides another of her posts with a reason."""
    with db(app) as session:
        w = seminar(session)
        ann, ben, mod = (session.get(User, u.id) for u in (w.ann, w.ben, w.mod))
        thread = session.merge(w.thread)
        first = post(session, thread, ann, "Ann's first draft.")
        discussions.edit_post(session, first, groups.membership_of(session, w.gid, ann),
                              ANN_WORDS)
        hidden = post(session, thread, ann, "Ann names a suspect.")
        moderation.hide(session, hidden, mod, "Names a real person")
        bens = post(session, thread, ben, "Ben replies to Ann.", reply_to=first)
        moderation.report(session, bens, ann, "off-topic", "Ann's report detail")
        thread_reading.acknowledge_note(session, thread.discussion, ann)
        thread_reading.mark_read(session, thread, ann, 3)
        second = session.get(Group, w.other_group.id)
        joining.add_member(session, second, ann)
        elsewhere = post(session, session.merge(w.other_thread), ann, "Ann in the other group.")
        second.requires_approval = True
        session.commit()
        w.first, w.hidden, w.bens, w.elsewhere = first.id, hidden.id, bens.id, elsewhere.id
        return w


def delete_as(client_for, user):
    return post_form(client_for(user), "/account/", "/account/delete",
                     {"password": FACTORY_PASSWORD, "understood": "y"})


def set_posts_rule(client_for, w, choice):
    url = f"/groups/{w.gid}/settings"
    return post_form(client_for(w.fac), url, f"{url}/deleted-member-posts",
                     {"deleted_member_posts": choice})


def rows_about(session, user_id: int) -> dict[str, int]:
    def count(model, *where):
        return session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "users": count(User, User.id == user_id),
        "memberships": count(Membership, Membership.user_id == user_id),
        "requests": count(JoinRequest, JoinRequest.user_id == user_id),
        "acks": count(ContentNoteAck, ContentNoteAck.user_id == user_id),
        "reads": count(ThreadRead, ThreadRead.user_id == user_id),
        "posts": count(Post, Post.author_id == user_id),
        "reports": count(Report, Report.reporter_id == user_id),
        "log": count(ModerationAction, (ModerationAction.actor_id == user_id)
                     | (ModerationAction.target_user_id == user_id)),
    }


def test_groups_keep_a_deleted_members_posts_by_default(app, world):
    with db(app) as session:
        assert session.get(Group, world.gid).deleted_member_posts == "keep"


def test_the_settings_page_lets_a_facilitator_choose(app, world, client_for):
    page = client_for(world.fac).get(f"/groups/{world.gid}/settings").get_data(as_text=True)
    assert "When a member deletes their account, their posts in this group" in page
    checked = re.findall(r'<input checked[^>]*name="deleted_member_posts"[^>]*value="(\w+)"',
                         page)
    assert checked == ["keep"]

    assert set_posts_rule(client_for, world, "remove").status_code == 302
    with db(app) as session:
        assert session.get(Group, world.gid).deleted_member_posts == "remove"
    assert set_posts_rule(client_for, world, "shred").status_code == 422
    assert post_form(client_for(world.mod), f"/groups/{world.gid}",
                     f"/groups/{world.gid}/settings/deleted-member-posts",
                     {"deleted_member_posts": "keep"}).status_code == 403
    with db(app) as session:
        assert session.get(Group, world.gid).deleted_member_posts == "remove"


def test_deletion_erases_every_record_that_names_the_member(app, world, client_for):
    assert delete_as(client_for, world.ann).status_code == 302

    with db(app) as session:
        assert rows_about(session, world.ann.id) == dict.fromkeys(
            ("users", "memberships", "requests", "acks", "reads", "posts", "reports", "log"),
            0)


def test_kept_posts_read_deleted_member_and_name_nobody(app, world, client_for):
    delete_as(client_for, world.ann)

    page = client_for(world.ben).get(
        f"/groups/{world.gid}/threads/{world.thread.id}").get_data(as_text=True)

    assert ANN_WORDS in page
    assert '<span class="post-author">Deleted member</span>' in page
    assert "Ann Example" not in page
    with db(app) as session:
        kept = session.get(Post, world.first)
        assert (kept.author_id, kept.status) == (None, "published")
        # Ben's reply, and the report Ann filed, stay, no longer linked to her.
        assert session.get(Post, world.bens).reply_to_id == world.first
        assert session.scalar(select(Report.detail).where(Report.post_id == world.bens)) \
            == "Ann's report detail"


def test_a_group_set_to_remove_erases_the_text_and_history(app, world, client_for):
    set_posts_rule(client_for, world, "remove")

    delete_as(client_for, world.ann)

    with db(app) as session:
        for post_id in (world.first, world.hidden):
            gone = session.get(Post, post_id)
            assert (gone.status, gone.body_md, gone.body_html, gone.author_id) == (
                "removed", "", "", None)
            assert gone.moderation_reason is None
        assert session.scalar(select(func.count()).select_from(PostRevision).where(
            PostRevision.post_id == world.first)) == 0
        # The other group keeps its default: Ann's words stay there, unnamed.
        other = session.get(Post, world.elsewhere)
        assert (other.status, other.body_md, other.author_id) == (
            "published", "Ann in the other group.", None)
        assert session.get(Post, world.bens).body_md == "Ben replies to Ann."
    page = client_for(world.mod).get(
        f"/groups/{world.gid}/threads/{world.thread.id}").get_data(as_text=True)
    assert "This post was removed." in page
    assert "Ann's first draft" not in page and ANN_WORDS not in page
    assert "Ann names a suspect" not in page


def test_the_moderation_log_keeps_the_action_without_the_member(app, world, client_for):
    set_posts_rule(client_for, world, "remove")

    delete_as(client_for, world.ann)

    with db(app) as session:
        hid = session.scalar(select(ModerationAction).where(
            ModerationAction.group_id == world.gid, ModerationAction.action == "hid post"))
        assert (hid.target_user_id, hid.reason) == (None, "Names a real person")
    log = client_for(world.fac).get(f"/groups/{world.gid}/moderation/log")
    html = log.get_data(as_text=True)
    assert "Hid post" in html and "Names a real person" in html
    for personal in ("Ann Example", "ann.example@example.org", "Ann names a suspect",
                     "Ann's first draft", ANN_WORDS):
        assert personal not in html


def test_a_deleted_moderators_actions_stay_in_the_log_unnamed(app, world, client_for):
    assert delete_as(client_for, world.mod).status_code == 302

    html = client_for(world.fac).get(
        f"/groups/{world.gid}/moderation/log").get_data(as_text=True)
    assert "Hid post" in html
    assert "Mo Moderator" not in html and "mo.moderator@example.org" not in html
    assert "Deleted member" in html


def test_a_group_left_with_no_active_member_goes_with_the_account(app, world, client_for):
    with db(app) as session:
        fay = session.get(User, world.fac.id)
        solo = joining.create_group(session, fay, name="Fay's notes")
        post(session, make_discussion(session, solo, fay).threads[0], fay,
             "Fay's private notes.")
        solo_id = solo.id
        left = joining.create_group(session, fay, name="Everyone left")
        joining.add_member(session, left, session.get(User, world.ben.id))
        groups.leave(session, groups.membership_of(session, left.id,
                                                   session.get(User, world.ben.id)))
        left_id = left.id
        group = session.get(Group, world.gid)
        mo = groups.membership_of(session, world.gid, session.get(User, world.mod.id))
        groups.set_role(session, group, mo, "facilitator")

    assert delete_as(client_for, world.fac).status_code == 302

    with db(app) as session:
        assert session.get(Group, solo_id) is None
        assert session.get(Group, left_id) is None
        assert session.scalar(select(func.count()).select_from(Post).where(
            Post.body_md == "Fay's private notes.")) == 0
        # The seminar still has members, so it stays.
        assert session.get(Group, world.gid) is not None
