"""The case page is nearly static: browsers revalidate it and get 304s until it changes."""

import re

from tests.cases.casefiles import SAMPLE, SAMPLE_SLUG, replace_once
from tests.conftest import signed_in
from tests.factories import make_user

URL = f"/cases/{SAMPLE_SLUG}/read"


def test_signed_out_reader_revalidates_with_etag_or_date_and_gets_304(app, cases, client):
    first = client.get(URL)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"]

    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag

    by_date = client.get(URL, headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304

    other = client.get(URL, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_an_updated_case_is_sent_again_with_its_new_text(app, cases, client, tmp_path,
                                                         run_import):
    first = client.get(URL)
    folder = tmp_path / "changed"
    folder.mkdir()
    text = SAMPLE.read_text()
    changed = replace_once(text, "summary: >-\n", "summary: >-\n  Revised.\n")
    (folder / SAMPLE.name).write_text(changed)
    assert run_import(folder).exit_code == 0

    after = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert "Revised." in after.get_data(as_text=True)
    assert after.headers["ETag"] != first.headers["ETag"]


def test_signed_in_copy_is_private_and_not_shared_with_signed_out_readers(
        app, cases, client, session):
    anonymous = client.get(URL)
    user = make_user(session, "Cara Reader")
    member = signed_in(app, user)
    theirs = member.get(URL, headers={"If-None-Match": anonymous.headers["ETag"]})
    assert theirs.status_code == 200
    assert "Sign out" in theirs.get_data(as_text=True)
    assert "private" in theirs.headers["Cache-Control"]
    assert member.get(URL, headers={"If-None-Match": theirs.headers["ETag"]}).status_code == 304
    # The signed-out copy never carries someone's sign-out form.
    assert "Sign out" not in client.get(URL).get_data(as_text=True)


NOTE_URL = f"/cases/{SAMPLE_SLUG}"


def test_content_note_page_revalidates_and_changes_with_the_case(app, cases, client, tmp_path,
                                                                 run_import):
    first = client.get(NOTE_URL)
    assert first.status_code == 200 and "Content note" in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert client.get(NOTE_URL, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(NOTE_URL).data == first.data
    folder = tmp_path / "changed"
    folder.mkdir()
    changed = replace_once(SAMPLE.read_text(), "content_note: >-\n",
                           "content_note: >-\n  Revised note.\n")
    (folder / SAMPLE.name).write_text(changed)
    assert run_import(folder).exit_code == 0
    after = client.get(NOTE_URL, headers={"If-None-Match": etag})
    assert after.status_code == 200 and "Revised note." in after.get_data(as_text=True)


def test_a_kept_signed_in_page_carries_each_session_its_own_sign_out_token(
        app, cases, client, session):
    user = make_user(session, "Dev Reader")
    tokens = []
    for _ in range(2):
        member = signed_in(app, user)
        for _ in range(2):  # the second is the kept copy
            page = member.get(NOTE_URL).get_data(as_text=True)
        tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))
        # The kept page's sign-out form works in its own session.
        out = member.post("/account/sign-out", data={"csrf_token": tokens[-1]})
        assert out.status_code == 302
        assert "Sign out" not in member.get(NOTE_URL).get_data(as_text=True)
    assert tokens[0] != tokens[1]
