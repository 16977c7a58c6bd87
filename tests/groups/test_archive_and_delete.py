"""A facilitator archives a group (read-only for everyone) or deletes it after typing its name."""

import pytest
from sqlalchemy import func, select

from casebook.accounts.models import User
from casebook.discussion import service as discussions
from casebook.discussion import thread_reading
from casebook.discussion.models import (
    ContentNoteAck,
    Discussion,
    Post,
    PostRevision,
    Thread,
    ThreadRead,
)
from casebook.groups import joining
from casebook.groups import service as groups
from casebook.groups.models import Group, JoinRequest, Membership
from casebook.moderation import service as moderation
from casebook.moderation.models import ModerationAction, Report, WatchedWord
from tests.conftest import csrf_token, db, post_form
from tests.discussion.conftest import reply
from tests.factories import make_user, post, seminar
from tests.groups.conftest import text


@pytest.fixture
def world(app, cases):
    """The shared seminar, with a post by Ann and one by Ben, plus Rex waiting to join."""
    with db(app) as session:
        w = seminar(session)
        thread = session.merge(w.thread)
        w.anns = post(session, thread, session.get(User, w.ann.id), "Ann's answer.").id
        w.bens = post(session, thread, session.get(User, w.ben.id), "Ben's answer.").id
        w.rex = make_user(session, "Rex Requester")
        group = session.get(Group, w.gid)
        w.code = group.join_code
        return w


def settings_url(w) -> str:
    return f"/groups/{w.gid}/settings"


def archive(client, w):
    return post_form(client, settings_url(w), f"/groups/{w.gid}/archive")


def is_archived(app, w) -> bool:
    with db(app) as session:
        return session.get(Group, w.gid).archived


def post_count(app) -> int:
    with db(app) as session:
        return session.scalar(select(func.count()).select_from(Post))


# Archiving --------------------------------------------------------------------

def test_a_facilitator_archives_from_the_settings_page(app, world, client_for):
    fay = client_for(world.fac)
    page = text(fay.get(settings_url(world)))
    assert "Archive the group" in page

    response = archive(fay, world)

    assert response.status_code == 302
    assert is_archived(app, world)
    overview = text(fay.get(f"/groups/{world.gid}"))
    assert "Ethics seminar Archived" in overview
    assert "This group is archived: everyone can read it" in overview
    assert "Start a discussion" not in overview
    with db(app) as session:
        assert session.scalar(select(ModerationAction.action).where(
            ModerationAction.group_id == world.gid).order_by(ModerationAction.id.desc())
        ) == "archived group"


def test_members_still_read_an_archived_group_but_see_no_forms(app, world, client_for):
    archive(client_for(world.fac), world)
    ann = client_for(world.ann)

    page = ann.get(f"/groups/{world.gid}/threads/{world.thread.id}")

    assert page.status_code == 200
    words = text(page)
    assert "Ann's answer." in words and "Ben's answer." in words
    assert "This group is archived. You can read it, but nobody can post, edit or report." in words
    assert "The group is archived, so there is no reply form." in words
    html = page.get_data(as_text=True)
    assert 'name="body"' not in html
    assert f"/posts/{world.bens}/report" not in html
    assert f"/posts/{world.anns}/edit" not in html


@pytest.mark.parametrize("who", ["ann", "mod", "fac"])
def test_nobody_posts_edits_or_reports_in_an_archived_group(app, world, client_for, who):
    archive(client_for(world.fac), world)
    client = client_for(getattr(world, who))
    before = post_count(app)
    g = world.gid

    # The page has no reply form, so send what it would have sent.
    assert post_form(client, f"/groups/{g}", f"/groups/{g}/threads/{world.thread.id}/posts",
                     {"body": "Still here?", "submission_key": "k" * 32,
                      "submit": "Post"}).status_code == 403
    assert post_form(client, f"/groups/{g}", f"/groups/{g}/discussions/{world.discussion.id}"
                     "/threads/new", {"title": "New", "body": "Why?"}).status_code == 403
    assert post_form(client, f"/groups/{g}", f"/groups/{g}/posts/{world.bens}/report",
                     {"reason": "off-topic"}).status_code == 403
    assert post_count(app) == before
    with db(app) as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0


def test_authors_cannot_edit_or_delete_their_posts_in_an_archived_group(app, world, client_for):
    archive(client_for(world.fac), world)
    ann = client_for(world.ann)
    g = world.gid

    edit = post_form(ann, f"/groups/{g}", f"/groups/{g}/posts/{world.anns}/edit",
                     {"body": "Changed later."})
    remove = post_form(ann, f"/groups/{g}", f"/groups/{g}/posts/{world.anns}/delete")

    assert (edit.status_code, remove.status_code) == (403, 403)
    with db(app) as session:
        kept = session.get(Post, world.anns)
        assert (kept.body_md, kept.status) == ("Ann's answer.", "published")


def test_moderators_cannot_act_in_an_archived_group(app, world, client_for):
    archive(client_for(world.fac), world)
    mo = client_for(world.mod)
    g = world.gid

    hide = post_form(mo, f"/groups/{g}", f"/groups/{g}/posts/{world.bens}/hide",
                     {"reason": "Names."})
    lock = post_form(mo, f"/groups/{g}", f"/groups/{g}/threads/{world.thread.id}/lock")

    assert (hide.status_code, lock.status_code) == (403, 403)
    with db(app) as session:
        assert session.get(Post, world.bens).status == "published"
        assert not session.get(Thread, world.thread.id).locked


def test_memberships_do_not_change_in_an_archived_group(app, world, client_for):
    archive(client_for(world.fac), world)
    with db(app) as session:
        ann = groups.membership_of(session, world.gid, session.get(User, world.ann.id))
    fay = client_for(world.fac)
    members = f"/groups/{world.gid}/members"

    role = post_form(fay, members, f"{members}/{ann.id}/role", {"role": "moderator"})
    removal = post_form(fay, members, f"{members}/{ann.id}/remove")

    assert (role.status_code, removal.status_code) == (403, 403)
    with db(app) as session:
        after = session.get(Membership, ann.id)
        assert (after.role, after.status) == ("participant", "active")


def test_facilitators_cannot_start_discussions_in_an_archived_group(app, world, client_for):
    archive(client_for(world.fac), world)

    response = client_for(world.fac).get(f"/groups/{world.gid}/discussions/new")

    assert response.status_code == 403


def test_nobody_joins_an_archived_group(app, world, client_for):
    archive(client_for(world.fac), world)
    rex = client_for(world.rex)

    page = rex.get(f"/join/{world.code}")
    assert "This group is archived, so nobody can join it." in text(page)
    assert "Join this group" not in text(page)

    response = rex.post(f"/join/{world.code}",
                        data={"csrf_token": csrf_token(rex, f"/join/{world.code}")})
    assert response.status_code == 403
    assert "This group is archived, so nobody can join it." in text(response)
    with db(app) as session:
        assert groups.membership_of(session, world.gid, session.get(User, world.rex.id)) is None


def test_a_waiting_request_cannot_be_approved_while_archived(app, world, client_for):
    with db(app) as session:
        group = session.get(Group, world.gid)
        group.requires_approval = True
        session.commit()
        joining.join(session, group, session.get(User, world.rex.id))
        request_id = joining.pending_requests(session, group)[0].id
    fay = client_for(world.fac)
    archive(fay, world)

    post_form(fay, f"/groups/{world.gid}/requests",
              f"/groups/{world.gid}/requests/{request_id}", {"decision": "approve"})

    with db(app) as session:
        assert session.get(JoinRequest, request_id).status == "pending"
        assert groups.membership_of(session, world.gid, session.get(User, world.rex.id)) is None


def test_unarchiving_lets_members_take_part_again(app, world, client_for):
    fay = client_for(world.fac)
    archive(fay, world)

    response = post_form(fay, settings_url(world), f"/groups/{world.gid}/unarchive")

    assert response.status_code == 302
    assert not is_archived(app, world)
    assert "This group is archived" not in text(fay.get(f"/groups/{world.gid}"))
    assert reply(client_for(world.ann), world, world.thread, "Back again.").status_code == 302
    with db(app) as session:
        actions = list(session.scalars(select(ModerationAction.action).where(
            ModerationAction.group_id == world.gid).order_by(ModerationAction.id)))
    assert actions[-2:] == ["archived group", "unarchived group"]


@pytest.mark.parametrize("who", ["mod", "ann"])
def test_only_facilitators_archive(app, world, client_for, who):
    assert archive(client_for(getattr(world, who)), world).status_code == 403
    assert not is_archived(app, world)


# Deleting ---------------------------------------------------------------------

def delete_url(w) -> str:
    return f"/groups/{w.gid}/delete"


def rows_of_group(session, group_id: int) -> dict[str, int]:
    """How many rows each table holds for one group."""
    discussion_ids = select(Discussion.id).where(Discussion.group_id == group_id)
    thread_ids = select(Thread.id).where(Thread.discussion_id.in_(discussion_ids))
    post_ids = select(Post.id).where(Post.thread_id.in_(thread_ids))

    def count(model, *where):
        return session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "groups": count(Group, Group.id == group_id),
        "discussions": count(Discussion, Discussion.group_id == group_id),
        "threads": count(Thread, Thread.id.in_(thread_ids)),
        "posts": count(Post, Post.id.in_(post_ids)),
        "revisions": count(PostRevision, PostRevision.post_id.in_(post_ids)),
        "reports": count(Report, Report.post_id.in_(post_ids)),
        "log": count(ModerationAction, ModerationAction.group_id == group_id),
        "memberships": count(Membership, Membership.group_id == group_id),
        "requests": count(JoinRequest, JoinRequest.group_id == group_id),
        "acks": count(ContentNoteAck, ContentNoteAck.discussion_id.in_(discussion_ids)),
        "reads": count(ThreadRead, ThreadRead.thread_id.in_(thread_ids)),
        "words": count(WatchedWord, WatchedWord.group_id == group_id),
    }


@pytest.fixture
def full_group(app, world):
    """Every kind of row under both groups: edits, reports, log, requests, acks, reads, words."""
    with db(app) as session:
        for gid, thread_id, owner in ((world.gid, world.thread.id, world.fac),
                                      (world.other_group.id, world.other_thread.id,
                                       world.out)):
            group = session.get(Group, gid)
            thread = session.get(Thread, thread_id)
            owner = session.get(User, owner.id)
            mine = post(session, thread, owner, "First version.")
            discussions.edit_post(session, mine, groups.membership_of(session, gid, owner),
                                  "Second version.")
            reporter = make_user(session, f"Reporter {gid}")
            joining.add_member(session, group, reporter)
            moderation.report(session, mine, reporter, "off-topic")
            moderation.add_word(session, group, owner, f"secret {gid}", "hold")
            moderation.lock(session, thread, owner)
            thread_reading.acknowledge_note(session, thread.discussion, reporter)
            thread_reading.mark_read(session, thread, reporter, 1)
            group.requires_approval = True
            session.commit()
            joining.join(session, group, make_user(session, f"Waiting {gid}"))
        before = rows_of_group(session, world.gid), rows_of_group(session, world.other_group.id)
    assert all(before[0].values()) and all(before[1].values()), before
    return before


def test_the_delete_page_asks_for_the_name(app, world, client_for):
    page = client_for(world.fac).get(delete_url(world))

    assert page.status_code == 200
    words = text(page)
    assert "Delete “Ethics seminar”" in words
    assert "Type the group's name to confirm" in words
    assert "It cannot be undone." in words


@pytest.mark.parametrize("typed", ["", "ethics seminar", "Ethics", "Other seminar"])
def test_a_wrong_name_is_a_field_error_and_deletes_nothing(app, world, full_group, client_for,
                                                           typed):
    response = post_form(client_for(world.fac), delete_url(world), delete_url(world),
                         {"name": typed})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html
    expected = ("Type the group's name to confirm." if not typed else
                "That is not the group's name. Type it exactly as shown, capitals included.")
    assert expected in text(response)
    with db(app) as session:
        assert rows_of_group(session, world.gid) == full_group[0]


def test_the_right_name_deletes_the_group_and_everything_under_it(app, world, full_group,
                                                                   client_for):
    fay = client_for(world.fac)

    response = post_form(fay, delete_url(world), delete_url(world), {"name": "Ethics seminar"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/groups/"
    assert "“Ethics seminar” and everything in it have been deleted." in text(
        fay.get("/groups/"))
    with db(app) as session:
        assert set(rows_of_group(session, world.gid).values()) == {0}
        assert rows_of_group(session, world.other_group.id) == full_group[1]
        # Accounts are people, not group content: they stay.
        assert session.get(User, world.ann.id) is not None
    for member in (world.fac, world.ann, world.mod):
        assert client_for(member).get(f"/groups/{world.gid}").status_code == 404


@pytest.mark.parametrize("who", ["mod", "ann", "admin"])
def test_only_facilitators_delete(app, world, client_for, who):
    response = post_form(client_for(getattr(world, who)), f"/groups/{world.gid}",
                         delete_url(world), {"name": "Ethics seminar"})

    assert response.status_code == 403
    with db(app) as session:
        assert session.get(Group, world.gid) is not None


def test_an_archived_group_can_still_be_deleted(app, world, client_for):
    fay = client_for(world.fac)
    archive(fay, world)

    response = post_form(fay, delete_url(world), delete_url(world), {"name": "Ethics seminar"})

    assert response.status_code == 302
    with db(app) as session:
        assert session.get(Group, world.gid) is None
