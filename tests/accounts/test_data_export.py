"""A member downloads everything Casebook keeps about them, and nothing about anyone else."""

import json

import pytest

from casebook.accounts.models import User
from casebook.discussion import service as discussions
from casebook.discussion import thread_reading
from casebook.discussion.models import Post
from casebook.groups.service import membership_of
from casebook.moderation import service as moderation
from tests.conftest import csrf_token, db, make_test_app, signed_in
from tests.factories import post, seminar


@pytest.fixture
def world(app, cases):
    """Ann posts twice (editing one), reports Ben's post, has a post hidden by Mo and
    acknowledges the content note; Ben and Oscar write things she must not get."""
    with db(app) as session:
        w = seminar(session)
        ann, ben, mod = (session.get(User, u.id) for u in (w.ann, w.ben, w.mod))
        thread = session.merge(w.thread)
        first = post(session, thread, ann, "My first answer about vigilantes.")
        discussions.edit_post(session, first, membership_of(session, w.gid, ann),
                              "My edited answer about vigilantes.")
        hidden = post(session, thread, ann, "A post that names someone.")
        moderation.hide(session, hidden, mod, "Names a real person")
        bens = post(session, thread, ben, "Ben's private thoughts.")
        moderation.report(session, bens, ann, "off-topic", "Not about the case")
        thread_reading.acknowledge_note(session, thread.discussion, ann)
        post(session, session.merge(w.other_thread), session.get(User, w.out.id),
             "Oscar's words in another group.")
        w.first_id, w.hidden_id, w.bens_id = first.id, hidden.id, bens.id
        return w


def download(client):
    return client.post("/account/data", data={"csrf_token": csrf_token(client, "/account/")})


def test_the_account_page_offers_the_download(app, world):
    page = signed_in(app, world.ann).get("/account/").get_data(as_text=True)

    assert "Your data" in page
    assert 'action="/account/data"' in page
    assert "Download my data" in page


def test_the_download_is_a_json_file_of_everything_about_the_member(app, world):
    response = download(signed_in(app, world.ann))

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="casebook-my-data-')
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))

    assert data["account"]["email"] == "ann.example@example.org"
    assert data["account"]["display_name"] == "Ann Example"
    assert data["account"]["email_confirmed_at"] is None
    assert data["account"]["notification_email"] is None
    assert "password_hash" not in json.dumps(data)
    assert [(m["group"], m["role"], m["pseudonym"]) for m in data["memberships"]] == [
        ("Ethics seminar", "participant", "Participant 3")]

    posts = {p["id"]: p for p in data["posts"]}
    assert set(posts) == {world.first_id, world.hidden_id}
    first = posts[world.first_id]
    assert first["body_markdown"] == "My edited answer about vigilantes."
    assert [v["body_markdown"] for v in first["earlier_versions"]] == [
        "My first answer about vigilantes."]
    assert first["group"] == "Ethics seminar"
    assert first["discussion"] == world.discussion.title
    assert first["prompt"]["stage"] == "understand"
    assert first["prompt"]["text"]
    assert posts[world.hidden_id]["status"] == "hidden"
    assert posts[world.hidden_id]["moderation_reason"] == "Names a real person"

    assert [(r["post"], r["reason"], r["detail"]) for r in data["reports_filed"]] == [
        (world.bens_id, "Off-topic", "Not about the case")]
    assert [(d["action"], d["reason"], d["post"])
            for d in data["moderation_decisions_about_you"]] == [
        ("hid post", "Names a real person", world.hidden_id)]
    assert [a["discussion"] for a in data["content_notes_acknowledged"]] == [
        world.discussion.title]


def test_the_download_holds_nothing_written_by_or_naming_anyone_else(app, world):
    text = download(signed_in(app, world.ann)).get_data(as_text=True)

    for foreign in ("Ben's private thoughts", "Oscar's words", "Ben Other", "Mo Moderator",
                    "Fay Facilitator", "Oscar Outsider", "Other seminar",
                    "ben.other@example.org", "mo.moderator@example.org"):
        assert foreign not in text


def test_each_member_gets_their_own_data(app, world):
    data = json.loads(download(signed_in(app, world.ben)).get_data(as_text=True))

    assert data["account"]["display_name"] == "Ben Other"
    assert [p["body_markdown"] for p in data["posts"]] == ["Ben's private thoughts."]
    assert data["reports_filed"] == []
    assert data["moderation_decisions_about_you"] == []


def test_a_download_needs_the_csrf_token(app, world):
    response = signed_in(app, world.ann).post("/account/data", data={})

    assert response.status_code == 400
    assert "This form expired or was sent from another site" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_signed_out_visitors_are_sent_to_sign_in(app, client, world):
    response = client.post("/account/data", data={"csrf_token": csrf_token(client)})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/sign-in")


def test_downloads_are_rate_limited_per_account(database_url, tmp_instance, world):
    limited = make_test_app(database_url, DATA_DOWNLOAD_RATE_LIMIT="2 per hour")
    ann = signed_in(limited, world.ann)
    assert [download(ann).status_code for _ in range(2)] == [200, 200]

    refused = download(ann)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert download(signed_in(limited, world.ben)).status_code == 200
    limited.extensions["casebook.engine"].dispose()


def test_a_deleted_post_is_still_in_the_download_while_it_is_stored(app, world):
    with db(app) as session:
        discussions.delete_post(session, session.get(Post, world.first_id))

    data = json.loads(download(signed_in(app, world.ann)).get_data(as_text=True))

    removed = next(p for p in data["posts"] if p["id"] == world.first_id)
    assert removed["status"] == "removed"
    assert removed["body_markdown"] == "My edited answer about vigilantes."
