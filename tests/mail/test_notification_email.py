"""Notification email through a real local SMTP server: at once, in a daily digest,
or never, by the member's choice or their group's default; one-click unsubscribe."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest

from casebook.accounts.models import User
from casebook.db import get_session, utcnow
from casebook.discussion.models import Post, Thread
from casebook.groups.models import Group
from casebook.moderation import service as moderation
from tests.conftest import csrf_token, post_form, signed_in
from tests.factories import post, seminar

ANN = "ann.example@example.org"


@contextmanager
def setup(app):
    """A session inside an app context, for setup that sends mail; closed after."""
    with app.app_context():
        yield get_session()


@pytest.fixture
def w(mail_app, cases):
    with setup(mail_app) as session:
        w = seminar(session)
        for user in (w.ann, w.ben, w.mod, w.fac):
            session.get(User, user.id).email_verified_at = utcnow()
        session.commit()
        w.parent = post(session, session.get(Thread, w.thread.id), session.get(User, w.ann.id),
                        "My first answer.")
        return w


def set_user(app, user, **values):
    with setup(app) as session:
        for key, value in values.items():
            setattr(session.get(User, user.id), key, value)
        session.commit()


def ben_replies(app, w, body="I disagree."):
    with setup(app) as session:
        post(session, session.get(Thread, w.thread.id), session.get(User, w.ben.id), body,
             reply_to=session.get(Post, w.parent.id))


def path_of(link: str) -> str:
    return "/" + link.split("//", 1)[1].partition("/")[2]


def test_immediately_sends_one_email_per_notification_with_unsubscribe_headers(
        mail_app, w, smtp):
    set_user(mail_app, w.ann, email_notifications="immediately")

    ben_replies(mail_app, w)

    [message] = smtp.to(ANN)
    assert message["Subject"] == "New notification from Casebook"
    body = message.get_content()
    assert "Ben Other replied to your post in" in body
    assert f"/groups/{w.gid}/posts/" in body
    assert message["List-Unsubscribe"].startswith("<http://localhost:5000/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_unconfirmed_address_gets_no_notification_email(mail_app, w, smtp):
    set_user(mail_app, w.ann, email_notifications="immediately", email_verified_at=None)
    ben_replies(mail_app, w)
    assert smtp.to(ANN, wait=0.3) == []


def test_the_daily_digest_batches_the_days_unread_notifications_once(mail_app, w, smtp):
    # Ann follows the group's default, a daily digest.
    ben_replies(mail_app, w, "One.")
    ben_replies(mail_app, w, "Two.")
    with setup(mail_app) as session:
        moderation.hide(session, session.get(Post, w.parent.id),
                        session.get(User, w.mod.id), "It names a teacher.")
    assert smtp.to(ANN, wait=0.3) == []

    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["send-digests"])

    assert result.exit_code == 0, result.output
    [digest] = smtp.to(ANN)
    assert digest["Subject"] == "Your Casebook notifications"
    body = digest.get_content()
    assert "3 notifications from the last day:" in body
    assert body.count("Ben Other replied to your post") == 2
    assert "Reason: It names a teacher." in body
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Ben and the others had nothing: no digest for them.
    assert [m["To"] for m in smtp.messages] == [ANN]

    runner.invoke(args=["send-digests"])
    assert len(smtp.to(ANN)) == 1


def test_the_digest_leaves_out_what_was_read_and_what_is_older_than_a_day(
        mail_app, w, smtp):
    ben_replies(mail_app, w, "Old.")
    client = signed_in(mail_app, w.ann)
    client.post("/notifications/read", data={"csrf_token": csrf_token(client)})
    ben_replies(mail_app, w, "New.")
    later = utcnow() + timedelta(days=2)
    with setup(mail_app) as session:
        from casebook.notifications.service import send_digests

        assert send_digests(session, now=later) == 0
        assert send_digests(session) == 1
    [digest] = smtp.to(ANN)
    assert "1 notification from the last day:" in digest.get_content()


def test_off_sends_nothing_and_a_members_choice_beats_the_groups(mail_app, w, smtp):
    with setup(mail_app) as session:
        session.get(Group, w.gid).email_default = "immediately"
        session.commit()
    set_user(mail_app, w.ann, email_notifications="off")
    ben_replies(mail_app, w)
    mail_app.test_cli_runner().invoke(args=["send-digests"])
    assert smtp.to(ANN, wait=0.3) == []

    set_user(mail_app, w.ann, email_notifications=None)  # back to the group's "immediately"
    ben_replies(mail_app, w)
    assert len(smtp.to(ANN)) == 1


def test_the_account_page_sets_the_choice_and_facilitators_the_group_default(mail_app, w):
    ann = signed_in(mail_app, w.ann)
    response = post_form(ann, "/account/", "/account/email-settings",
                         {"email_notifications": "off"})
    assert response.status_code == 302
    assert "Your email settings are saved." in ann.get("/account/").get_data(as_text=True)
    bad = post_form(ann, "/account/", "/account/email-settings",
                    {"email_notifications": "hourly"})
    assert bad.status_code == 422
    assert "Choose how often to be emailed." in bad.get_data(as_text=True)

    fac = signed_in(mail_app, w.fac)
    settings = f"/groups/{w.gid}/settings"
    assert post_form(fac, settings, settings + "/email-default",
                     {"email_default": "immediately"}).status_code == 302
    with setup(mail_app) as session:
        assert session.get(User, w.ann.id).email_notifications == "off"
        assert session.get(Group, w.gid).email_default == "immediately"


def test_one_click_unsubscribe_from_the_email(mail_app, w, smtp):
    set_user(mail_app, w.ann, email_notifications="immediately")
    ben_replies(mail_app, w)
    [message] = smtp.to(ANN)
    link = path_of(message["List-Unsubscribe"].strip("<>"))
    assert link in message.get_content()

    asked = mail_app.test_client().get(link)
    assert asked.status_code == 200
    assert "Stop emails" in asked.get_data(as_text=True)
    # What a mail program sends for List-Unsubscribe-Post: no session, no form token.
    done = mail_app.test_client().post(link, data={"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200
    assert "We will no longer email" in done.get_data(as_text=True)
    smtp.clear()
    ben_replies(mail_app, w, "Another.")
    assert smtp.to(ANN, wait=0.3) == []


def test_a_forged_or_expired_unsubscribe_link_changes_nothing(mail_app, w, smtp):
    set_user(mail_app, w.ann, email_notifications="immediately")
    ben_replies(mail_app, w)
    link = path_of(smtp.to(ANN)[0]["List-Unsubscribe"].strip("<>"))

    assert mail_app.test_client().post(link[:-4] + "abcd").status_code == 404
    later = utcnow() + timedelta(days=61)
    with mock.patch("itsdangerous.timed.time.time", return_value=later.timestamp()):
        assert mail_app.test_client().post(link).status_code == 404
    with setup(mail_app) as session:
        assert session.get(User, w.ann.id).email_notifications == "immediately"
