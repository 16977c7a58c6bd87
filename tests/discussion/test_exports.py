"""Transcripts and the participation summary that facilitators download."""

import csv
import io

from casebook.discussion.export import safe_cell
from casebook.discussion.models import HIDDEN, PENDING, PSEUDONYMOUS, Discussion, Post
from tests.conftest import db
from tests.discussion.conftest import page_text, write


def export_url(w, name: str) -> str:
    return f"/groups/{w.gid}/discussions/{w.discussion.id}/{name}"


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(page_text(response))))


def small_dataset(app, w, *, pseudonymous: bool = False):
    """Prompt 1: Ann, Ben replying to Ann, Ann again (hidden), Fay; Ann removes one post;
    prompt 2: Ann; one pending post by Ben is left out everywhere."""
    first, second = w.discussion.threads[0], w.discussion.threads[1]
    with db(app) as session:
        if pseudonymous:
            session.get(Discussion, w.discussion.id).identity = PSEUDONYMOUS
            session.commit()
        a1 = write(session, first.id, w.ann, "Exposure is not justice here")
        b1 = write(session, first.id, w.ben, "=HYPERLINK(\"http://evil.example\")",
                   reply_to=session.get(Post, a1.id))
        a2 = write(session, first.id, w.ann, "This names someone")
        f1 = write(session, first.id, w.fac, "Remember the content note")
        a3 = write(session, first.id, w.ann, "Deleted thought")
        a4 = write(session, second.id, w.ann, "Second prompt answer")
        b2 = write(session, second.id, w.ben, "Not yet approved")
        session.get(Post, a2.id).status = HIDDEN
        session.get(Post, a2.id).moderation_reason = "Identifies a real person"
        session.get(Post, a3.id).status = "removed"
        row = session.get(Post, b2.id)
        row.status, row.number = PENDING, None
        session.commit()
    return {"a1": a1.id, "b1": b1.id, "a2": a2.id, "f1": f1.id, "a3": a3.id, "a4": a4.id,
            "b2": b2.id}


def test_markdown_transcript(app, world, client_for):
    ids = small_dataset(app, world)
    response = client_for(world.fac).get(export_url(world, "transcript.md"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert 'transcript.md"' in response.headers["Content-Disposition"]
    text = page_text(response)
    assert text.startswith("# Online vigilantes: feared more than the police?\n")
    assert "- Case: Online vigilantes" in text
    assert "## Understand the case: What exactly did DS Andy Nash claim" in text
    assert "### #1 — Ann Example — 20" in text
    assert "### #4 — Fay Facilitator (Facilitator) — " in text
    assert "_In reply to #1._" in text
    assert "[hidden by a moderator: Identifies a real person]\n\nThis names someone" in text
    assert "### #5 — Ann Example" in text and "[removed by its author]" in text
    assert "Deleted thought" not in text
    assert "Not yet approved" not in text
    # Posts appear in number order under their prompt.
    assert text.index("Exposure is not justice") < text.index("=HYPERLINK") < text.index(
        "This names someone") < text.index("Second prompt answer")
    assert ids


def test_csv_transcript_uses_pseudonyms_and_guards_formulas(app, world, client_for):
    ids = small_dataset(app, world, pseudonymous=True)
    response = client_for(world.fac).get(export_url(world, "transcript.csv"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = rows(response)
    assert list(data[0]) == ["thread", "stage", "prompt_id", "post_number", "post_id",
                             "reply_to_post_id", "author", "member_key", "created_at_utc",
                             "edited", "status", "text"]
    by_id = {int(r["post_id"]): r for r in data}
    assert set(by_id) == {ids[k] for k in ("a1", "b1", "a2", "f1", "a3", "a4")}
    assert by_id[ids["a1"]]["author"] == "Participant 3"
    assert by_id[ids["a1"]]["member_key"] == "3"
    assert by_id[ids["b1"]]["author"] == "Participant 4"
    assert by_id[ids["b1"]]["reply_to_post_id"] == str(ids["a1"])
    assert by_id[ids["b1"]]["text"] == "'=HYPERLINK(\"http://evil.example\")"
    assert by_id[ids["f1"]]["author"] == "Fay Facilitator (Facilitator)"
    assert by_id[ids["a2"]]["status"] == "hidden"
    assert by_id[ids["a3"]]["status"] == "removed" and by_id[ids["a3"]]["text"] == ""
    assert by_id[ids["a1"]]["stage"] == "Understand the case"
    assert by_id[ids["a1"]]["created_at_utc"].endswith("Z")
    assert "Ann Example" not in page_text(response)
    assert "Ben Other" not in page_text(response)


def test_participation_summary_numbers(app, world, client_for):
    small_dataset(app, world, pseudonymous=True)
    response = client_for(world.fac).get(export_url(world, "participation.csv"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = {r["member"]: r for r in rows(response)}
    assert set(data) == {"Fay Facilitator", "Mo Moderator", "Participant 3", "Participant 4"}
    ann, ben, fay, mo = (data["Participant 3"], data["Participant 4"],
                         data["Fay Facilitator"], data["Mo Moderator"])
    total = str(len(world.discussion.threads))
    assert ann == {"member": "Participant 3", "member_key": "3", "role": "Participant",
                   "posts": "2", "words": "8", "replies_received": "1",
                   "prompts_answered": "2", "prompts_total": total, "hidden_posts": "1"}
    assert (ben["posts"], ben["words"], ben["replies_received"], ben["prompts_answered"],
            ben["hidden_posts"]) == ("1", "1", "0", "1", "0")
    assert (fay["role"], fay["posts"], fay["words"]) == ("Facilitator", "1", "4")
    assert (mo["posts"], mo["prompts_answered"]) == ("0", "0")


def test_only_facilitators_export(world, client_for):
    for name in ("transcript.md", "transcript.csv", "participation.csv"):
        assert client_for(world.fac).get(export_url(world, name)).status_code == 200
        for user in (world.mod, world.ann, world.admin):
            assert client_for(user).get(export_url(world, name)).status_code == 403
        assert client_for(world.out).get(export_url(world, name)).status_code == 404


def test_formula_guard():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+44 20") == "'+44 20"
    assert safe_cell("-list item") == "'-list item"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("plain") == "plain"
    assert safe_cell(3) == 3
