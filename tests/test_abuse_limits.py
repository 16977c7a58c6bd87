"""Rate limits on posting, reporting, joining by code and exports (sign-in has
tests/accounts/test_rate_limit.py); each refusal is the branded 429 page saying
when to try again. Limits are small here; the defaults are checked apart."""

import os
import re
import subprocess
import sys
import textwrap

import pytest

from casebook.config import load_config
from casebook.discussion.models import Discussion
from casebook.errors import wait_in_words
from casebook.extensions import limiter
from casebook.groups import joining
from casebook.groups.models import Group
from tests.conftest import (
    CASES_DIR,
    _empty_database,
    csrf_from,
    db,
    make_test_app,
    post_form,
    signed_in,
)
from tests.discussion.conftest import reply, write
from tests.factories import make_user, seminar

SMALL = {
    "POST_RATE_LIMIT": "2 per minute",
    "REPORT_RATE_LIMIT": "2 per minute",
    "EXPORT_RATE_LIMIT": "2 per minute",
    "JOIN_RATE_LIMIT": "3 per minute",
}


@pytest.fixture
def small(database_url, tmp_instance):
    app = make_test_app(database_url, **SMALL)
    from casebook.cases.loader import load_directory
    from casebook.cases.service import import_cases

    with db(app) as session:
        import_cases(session, load_directory(CASES_DIR))
        world = seminar(session)
        session.get(Discussion, world.discussion.id).allow_member_threads = True
        session.commit()
        world.code = session.get(Group, world.gid).join_code
    yield app, world
    _empty_database(app.extensions["casebook.engine"])
    app.extensions["casebook.engine"].dispose()
    limiter.reset()


def assert_refused(response, reason: str):
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many attempts" in body and reason in body
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert re.search(r"Please try again in (1 second|about \d+ seconds|1 minute)\.", body)
    assert "Traceback" not in body


def test_the_defaults_allow_a_busy_seminar_and_stop_a_script():
    config = load_config(CASES_DIR, {"SECRET_KEY": "x"})
    assert config["POST_RATE_LIMIT"] == "10 per minute;100 per hour"
    assert config["REPORT_RATE_LIMIT"] == "10 per minute;50 per hour"
    assert config["EXPORT_RATE_LIMIT"] == "10 per minute;100 per hour"
    assert config["JOIN_RATE_LIMIT"] == "20 per minute;200 per day"
    assert config["INVITE_PAGE_RATE_LIMIT"] == "60 per minute;1000 per day"
    assert config["SIGNIN_ACCOUNT_RATE_LIMIT"] == "5 per minute;20 per hour"


def test_posting_replies_threads_and_edits_share_one_budget(small):
    app, world = small
    ann = signed_in(app, world.ann)
    # Previews and refused forms are not posts: they cost nothing.
    for _ in range(3):
        assert reply(ann, world, world.thread, "Draft", preview="Preview").status_code == 200
        assert reply(ann, world, world.thread, "").status_code == 422

    assert reply(ann, world, world.thread, "First answer.").status_code == 302
    new_thread = f"/groups/{world.gid}/discussions/{world.discussion.id}/threads/new"
    started = post_form(ann, new_thread, new_thread,
                        {"title": "A question", "body": "Why?", "submit": "Start thread"})
    assert started.status_code == 302

    with db(app) as session:
        mine = write(session, world.thread.id, world.ann, "Set up outside the limit.")
    edit = f"/groups/{world.gid}/posts/{mine.id}/edit"
    assert_refused(post_form(ann, edit, edit, {"body": "Changed", "submit": "Save changes"}),
                   "You have posted or edited a lot in a short time.")
    refused = reply(ann, world, world.thread, "Third answer.")
    assert_refused(refused, "You have posted or edited a lot in a short time.")
    assert "Nothing was saved: your browser&#39;s Back button returns to what you wrote." \
        in refused.get_data(as_text=True)
    # Reading is never limited, and the count is Ann's, not her address's.
    assert ann.get(f"/groups/{world.gid}/threads/{world.thread.id}").status_code == 200
    assert reply(signed_in(app, world.ben), world, world.thread, "Ben's.").status_code == 302


def test_reporting_is_limited(small):
    app, world = small
    with db(app) as session:
        posts = [write(session, world.thread.id, world.ben, f"Post {n}") for n in range(3)]
    ann = signed_in(app, world.ann)

    def report(post):
        url = f"/groups/{world.gid}/posts/{post.id}/report"
        return post_form(ann, url, url, {"reason": "off-topic", "detail": ""})

    assert report(posts[0]).status_code == 302
    assert report(posts[1]).status_code == 302
    assert_refused(report(posts[2]), "You have sent a lot of reports in a short time.")


def test_exports_share_one_budget(small):
    app, world = small
    fay = signed_in(app, world.fac)
    base = f"/groups/{world.gid}/discussions/{world.discussion.id}"
    for name in ("transcript.md", "participation.csv"):
        response = fay.get(f"{base}/{name}")
        assert response.status_code == 200
        # No copy left in a shared or proxy cache: the file on the laptop is the only one.
        assert response.headers["Cache-Control"] == "no-store"
    assert_refused(fay.get(f"{base}/transcript.csv"),
                   "You have downloaded a lot of exports in a short time.")


def test_every_way_of_trying_a_code_shares_one_budget_per_account(small):
    app, world = small
    with db(app) as session:
        newcomer = make_user(session, "Nia Newcomer")
        other = make_user(session, "Oli Other")
    nia = signed_in(app, newcomer)
    token = csrf_from(nia.get("/join").get_data(as_text=True))
    # Opening the join form is not a guess.
    for _ in range(5):
        assert nia.get("/join").status_code == 200

    assert nia.post("/join", data={"csrf_token": token, "code": "WRONG-CODE1"}).status_code == 422
    assert nia.get("/join/WRONGCODE2").status_code == 404
    assert nia.post("/join/WRONGCODE3", data={"csrf_token": token}).status_code == 404
    message = "You have tried a lot of join codes in a short time."
    assert_refused(nia.get(f"/join/{world.code}"), message)
    assert_refused(nia.post("/join", data={"csrf_token": token, "code": world.code}), message)

    # Another account on the same address (a lecture hall's NAT) still joins.
    oli = signed_in(app, other)
    assert post_form(oli, "/join", "/join", {"code": world.code}).status_code == 302


def test_join_codes_are_ten_characters_from_31_unambiguous_symbols(app, session):
    assert joining.CODE_ALPHABET == "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    assert not set("0O1IL") & set(joining.CODE_ALPHABET)
    # The arithmetic SECURITY.md states: about 8.2e14 codes.
    assert len(joining.CODE_ALPHABET) ** joining.CODE_LENGTH == 819_628_286_980_801
    codes = {joining.new_join_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 10 and set(code) <= set(joining.CODE_ALPHABET) for code in codes)
    fay = make_user(session, "Fay Facilitator")
    group = joining.create_group(session, fay, name="Seminar")
    assert len(group.join_code) == 10
    assert joining.display_code(group.join_code) == f"{group.join_code[:5]}-{group.join_code[5:]}"
    assert joining.group_for_code(session, joining.display_code(group.join_code).lower()) == group


def test_a_code_issued_before_codes_grew_still_opens_its_group(app, session):
    fay = make_user(session, "Fay Facilitator")
    group = joining.create_group(session, fay, name="Seminar")
    group.join_code = "ABCDEFGH"
    session.commit()
    assert joining.group_for_code(session, "abcd-efgh") == group
    assert joining.group_for_code(session, "ABCDEFG") is None


@pytest.mark.parametrize(("seconds", "words"), [
    (1, "1 second"), (40, "about 40 seconds"), (60, "1 minute"), (61, "about 2 minutes"),
    (3540, "about 59 minutes"), (3600, "1 hour"), (3601, "about 2 hours"),
])
def test_the_wait_is_said_in_words_rounded_up(seconds, words):
    assert wait_in_words(seconds) == words


def test_every_export_is_written_to_the_moderation_log(app, cases, client_for):
    # An intruder in one facilitator's account leaves a trace the others read.
    with db(app) as session:
        world = seminar(session)
    fay = client_for(world.fac)
    base = f"/groups/{world.gid}/discussions/{world.discussion.id}"
    for name in ("transcript.md", "transcript.csv?include_hidden=1", "participation.csv"):
        assert fay.get(f"{base}/{name}").status_code == 200

    log = client_for(world.mod).get(f"/groups/{world.gid}/moderation/log").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", log, re.S)
    exported = [re.sub(r"<[^>]+>", " ", row) for row in rows if "Exported" in row]
    assert len(exported) == 3
    title = world.discussion.title
    assert all("Fay Facilitator" in row and title in row for row in exported)
    assert "Exported participation summary" in exported[0]
    assert "with the text of posts hidden by moderators" in exported[1]
    assert "Exported transcript (csv)" in exported[1]
    assert "Exported transcript (markdown)" in exported[2]
    assert "hidden" not in exported[2]


def test_when_redis_is_down_sign_in_and_limits_still_work(database_url, tmp_path):
    # A process of its own: the limiter remembers a dead storage, and the rest
    # of this run must not inherit that.
    script = textwrap.dedent(f"""
        from casebook import create_app
        from tests.conftest import sign_in

        app = create_app({{
            "TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": {database_url!r},
            "REDIS_URL": "redis://127.0.0.1:1/0", "SIGNIN_RATE_LIMIT": "2 per minute",
        }})
        client = app.test_client()
        print([sign_in(client, email="nobody@example.org", password="wrong one").status_code
               for _ in range(3)])
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        cwd=CASES_DIR.parent, env={**os.environ, "CASEBOOK_INSTANCE_PATH": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[422, 422, 429]"
