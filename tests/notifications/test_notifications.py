"""Notifications made by what members and moderators do, the badge and the page."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.discussion import service as discussions
from casebook.discussion.models import PSEUDONYMOUS, STAGED, Discussion, Post
from casebook.groups.models import REMOVED
from casebook.moderation import service as moderation
from casebook.notifications.models import Notification
from casebook.notifications.service import notify_due
from tests.conftest import csrf_token, db
from tests.discussion.conftest import member, page_text, reply, write
from tests.factories import make_discussion


def notes(app, user) -> list[Notification]:
    with db(app) as session:
        return list(session.scalars(select(Notification).where(Notification.user_id == user.id)
                                    .order_by(Notification.id)))


def texts(app, user) -> list[str]:
    return [n.text for n in notes(app, user)]


def header(client) -> str:
    html = page_text(client.get("/"))
    return html.split("</header>")[0]


def test_a_reply_notifies_the_author_who_sees_a_badge_and_opens_it(app, world, client_for):
    with db(app) as session:
        parent = write(session, world.thread.id, world.ann, "My first answer.")
    ben, ann = client_for(world.ben), client_for(world.ann)
    assert ">Notifications<" in header(ann)

    assert reply(ben, world, world.thread, "I disagree.", reply_to=str(parent.id)).status_code \
        == 302

    [note] = notes(app, world.ann)
    assert note.text.startswith("Ben Other replied to your post in “")
    assert notes(app, world.ben) == []
    assert "Notifications (1)" in header(ann)
    listing = page_text(ann.get("/notifications/"))
    assert "1 unread." in listing and "Ben Other replied to your post in" in listing

    opened = ann.post(f"/notifications/{note.id}/open",
                      data={"csrf_token": csrf_token(ann, "/notifications/")})

    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/groups/{world.gid}/posts/{note.post_id}"
    assert "Notifications (1)" not in header(ann)
    assert notes(app, world.ann)[0].read_at is not None


def test_replying_to_oneself_notifies_nobody(app, world, client_for):
    with db(app) as session:
        parent = write(session, world.thread.id, world.ann, "My first answer.")
    reply(client_for(world.ann), world, world.thread, "And more.", reply_to=str(parent.id))
    assert notes(app, world.ann) == []


def test_in_a_pseudonymous_discussion_the_text_names_the_pseudonym(app, world):
    with db(app) as session:
        discussion = session.get(Discussion, world.discussion.id)
        discussion.identity = PSEUDONYMOUS
        session.commit()
        parent = write(session, world.thread.id, world.ann, "My first answer.")
        write(session, world.thread.id, world.ben, "A reply.", reply_to=parent)
        pseudonym = member(session, world, world.ben).pseudonym

    [text] = texts(app, world.ann)
    assert text.startswith(f"{pseudonym} replied")
    assert "Ben" not in text


def test_nobody_hears_of_a_reply_they_may_no_longer_see(app, world):
    with db(app) as session:
        parent = write(session, world.thread.id, world.ann, "My first answer.")
        member(session, world, world.ann).status = REMOVED
        session.commit()
        write(session, world.thread.id, world.ben, "A reply.", reply_to=parent)
    assert notes(app, world.ann) == []


def test_moderators_decisions_reach_the_author_with_the_reason(app, world):
    with db(app) as session:
        post = write(session, world.thread.id, world.ann, "An answer.")
        mod = session.get(User, world.mod.id)
        moderation.hide(session, post, mod, "It names a real person.")
        moderation.restore(session, post, mod)

    hidden, restored = texts(app, world.ann)
    assert hidden.startswith("A moderator hid your post in “")
    assert hidden.endswith("Reason: It names a real person.")
    assert restored.startswith("A moderator put your post in")


def test_approving_a_held_reply_tells_its_author_and_the_author_it_answers(app, world):
    with db(app) as session:
        parent = write(session, world.thread.id, world.ann, "An answer.")
        group = member(session, world, world.fac).group
        group.premoderation = "all"
        session.commit()
        held = write(session, world.thread.id, world.ben, "A held reply.", reply_to=parent)
        assert held.number is None
    assert notes(app, world.ann) == []  # nothing to see yet

    with db(app) as session:
        moderation.approve(session, session.get(Post, held.id), session.get(User, world.mod.id))

    assert [n.kind for n in notes(app, world.ben)] == ["post_approved"]
    assert [n.kind for n in notes(app, world.ann)] == ["reply"]


def test_a_report_tells_the_moderators_not_the_participants(app, world):
    with db(app) as session:
        post = write(session, world.thread.id, world.ann, "An answer.")
        moderation.report(session, post, session.get(User, world.ben.id), "harassment")

    for staff in (world.mod, world.fac):
        [note] = notes(app, staff)
        assert note.kind == "report" and "was reported" in note.text
    assert notes(app, world.ann) == notes(app, world.ben) == []


def test_opening_a_stage_tells_the_members(app, cases, world):
    with db(app) as session:
        fac = session.get(User, world.fac.id)
        staged = make_discussion(session, session.get(type(world.group), world.gid), fac,
                                 release=STAGED, title="Staged one")
        assert discussions.open_next_stage(session, staged, fac) is not None

    for user in (world.ann, world.ben, world.mod):
        [text] = texts(app, user)
        assert text.startswith("The stage “") and text.endswith("is open in Staged one.")
    assert notes(app, world.fac) == []


def test_notify_due_warns_once_and_only_those_who_may_see(app, world):
    soon = utcnow() + timedelta(hours=3)
    with db(app) as session:
        discussion = session.get(Discussion, world.discussion.id)
        discussion.closes_at = soon
        fac = session.get(User, world.fac.id)
        make_discussion(session, session.get(type(world.group), world.gid), fac,
                        title="Next week", opens_at=soon)
        session.commit()
        first = notify_due(session)
        again = notify_due(session)

    assert again == 0 and first > 0
    ann = texts(app, world.ann)
    assert len(ann) == 1 and " closes on " in ann[0]
    # Before it opens only the people preparing it may see the new discussion.
    assert any(t.startswith("Next week opens on ") for t in texts(app, world.mod))
    assert not any("Next week" in t for t in ann)


def test_notify_due_command(app, world):
    with db(app) as session:
        session.get(Discussion, world.discussion.id).closes_at = utcnow() + timedelta(hours=1)
        session.commit()
    result = app.test_cli_runner().invoke(args=["notify-due"])
    assert result.exit_code == 0, result.output
    # The facilitator, the moderator and both participants.
    assert "4 notification(s) made." in result.output


def test_someone_elses_notification_is_not_found(app, world, client_for):
    with db(app) as session:
        parent = write(session, world.thread.id, world.ann, "An answer.")
        write(session, world.thread.id, world.ben, "A reply.", reply_to=parent)
    [note] = notes(app, world.ann)
    ben = client_for(world.ben)
    response = ben.post(f"/notifications/{note.id}/open",
                        data={"csrf_token": csrf_token(ben, "/notifications/")})
    assert response.status_code == 404
    assert notes(app, world.ann)[0].read_at is None


def test_mark_all_as_read(app, world, client_for):
    with db(app) as session:
        parent = write(session, world.thread.id, world.ann, "An answer.")
        for body in ("One.", "Two."):
            write(session, world.thread.id, world.ben, body, reply_to=parent)
    ann = client_for(world.ann)
    assert "Notifications (2)" in header(ann)
    response = ann.post("/notifications/read",
                        data={"csrf_token": csrf_token(ann, "/notifications/")})
    assert response.status_code == 302
    assert "Notifications (2)" not in header(ann)
    assert all(n.read_at for n in notes(app, world.ann))


@pytest.mark.parametrize("url", ["/notifications/"])
def test_the_page_needs_signing_in(client, url):
    assert client.get(url).headers["Location"].startswith("/account/sign-in")


