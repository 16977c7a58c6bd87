"""Transcripts and the participation summary that facilitators download."""

import csv
import io
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from casebook.db import utcnow
from casebook.discussion.export import safe_cell
from casebook.discussion.models import HIDDEN, PENDING, PSEUDONYMOUS, Discussion, Post
from casebook.groups.models import Group
from tests.conftest import db
from tests.discussion.conftest import page_text, write


def export_url(w, name: str) -> str:
    return f"/groups/{w.gid}/discussions/{w.discussion.id}/{name}"


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(page_text(response))))


def today() -> str:
    """The export's date: the day in the facilitator's timezone (the default one here)."""
    return utcnow().astimezone(ZoneInfo("Europe/London")).date().isoformat()


SLUGS = "ethics-seminar-online-vigilantes-feared-more-than-the-police"


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
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{SLUGS}-transcript-{today()}.md"; '
        f"filename*=UTF-8''{SLUGS}-transcript-{today()}.md")
    text = page_text(response)
    assert text.startswith("# Online vigilantes: feared more than the police?\n")
    assert "- Case: Online vigilantes" in text
    assert "## Understand the case: What exactly did DS Andy Nash claim" in text
    assert "### #1 — Ann Example — 20" in text
    assert "### #4 — Fay Facilitator (Facilitator) — " in text
    assert "_In reply to #1._" in text
    # Safe to share by default: hidden and removed posts keep only a placeholder.
    assert "### #3 — Ann Example" in text
    assert "[Post hidden by a moderator: Identifies a real person]" in text
    assert "This names someone" not in text
    assert "### #5 — Ann Example" in text and "[Post removed]" in text
    assert "Deleted thought" not in text
    assert "do not share it with the group" not in text
    assert "Not yet approved" not in text
    # Posts appear in number order under their prompt.
    assert text.index("Exposure is not justice") < text.index("=HYPERLINK") < text.index(
        "[Post hidden by a moderator") < text.index("Second prompt answer")
    assert ids


def test_facilitator_may_ask_for_hidden_text_with_a_warning(app, world, client_for):
    small_dataset(app, world)
    fac = client_for(world.fac)
    page = page_text(fac.get(f"/groups/{world.gid}/discussions/{world.discussion.id}"))
    assert "Include the text of posts hidden by moderators" in page
    assert ("This file will contain posts hidden by moderators; do not share it with the group."
            in page)

    text = page_text(fac.get(export_url(world, "transcript.md?include_hidden=1")))
    assert text.index("This file will contain posts hidden by moderators") < text.index("## ")
    assert ("[Post hidden by a moderator: Identifies a real person]\n\nThis names someone"
            in text)
    # The author took a removed post back: its text never leaves, even on request.
    assert "[Post removed]" in text and "Deleted thought" not in text

    data = {r["text"]: r for r in rows(fac.get(export_url(world,
                                                          "transcript.csv?include_hidden=1")))}
    assert data["This names someone"]["note"] == "hidden"
    assert data["[Post removed]"]["note"] == "removed"
    assert data["Exposure is not justice here"]["note"] == ""
    # Moderators and participants cannot ask for it either: exports are facilitators'.
    for user in (world.mod, world.ann):
        assert client_for(user).get(
            export_url(world, "transcript.md?include_hidden=1")).status_code == 403


def test_file_names_carry_group_discussion_kind_and_date(app, world, client_for):
    with db(app) as session:
        session.get(Group, world.gid).name = "Séminaire d\u2019éthique"  # a curly apostrophe
        session.commit()
    header = client_for(world.fac).get(
        export_url(world, "participation.csv")).headers["Content-Disposition"]
    plain = ("seminaire-d-ethique-online-vigilantes-feared-more-than-the-police-"
             f"participation-{today()}.csv")
    assert f'filename="{plain}"' in header
    encoded = header.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == ("séminaire-d-éthique-online-vigilantes-feared-more-than-"
                                f"the-police-participation-{today()}.csv")
    assert " " not in encoded and "\u2019" not in encoded


def test_csv_transcript_uses_pseudonyms_and_guards_formulas(app, world, client_for):
    ids = small_dataset(app, world, pseudonymous=True)
    response = client_for(world.fac).get(export_url(world, "transcript.csv"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{SLUGS}-transcript-{today()}.csv";')
    data = rows(response)
    assert list(data[0]) == ["thread", "stage", "prompt_id", "post_number", "post_id",
                             "reply_to_post_id", "author", "member_key", "created_at_utc",
                             "edited", "status", "note", "text"]
    by_id = {int(r["post_id"]): r for r in data}
    assert set(by_id) == {ids[k] for k in ("a1", "b1", "a2", "f1", "a3", "a4")}
    assert by_id[ids["a1"]]["author"] == "Participant 3"
    assert by_id[ids["a1"]]["member_key"] == "3"
    assert by_id[ids["b1"]]["author"] == "Participant 4"
    assert by_id[ids["b1"]]["reply_to_post_id"] == str(ids["a1"])
    assert by_id[ids["b1"]]["text"] == "'=HYPERLINK(\"http://evil.example\")"
    assert by_id[ids["f1"]]["author"] == "Fay Facilitator (Facilitator)"
    assert by_id[ids["a2"]]["status"] == by_id[ids["a2"]]["note"] == "hidden"
    assert by_id[ids["a2"]]["text"] == "[Post hidden by a moderator: Identifies a real person]"
    assert by_id[ids["a3"]]["status"] == by_id[ids["a3"]]["note"] == "removed"
    assert by_id[ids["a3"]]["text"] == "[Post removed]"
    assert "This names someone" not in page_text(response)
    assert by_id[ids["a1"]]["stage"] == "Understand the case"
    assert by_id[ids["a1"]]["created_at_utc"].endswith("Z")
    assert "Ann Example" not in page_text(response)
    assert "Ben Other" not in page_text(response)


def test_participation_summary_numbers(app, world, client_for):
    small_dataset(app, world, pseudonymous=True)
    response = client_for(world.fac).get(export_url(world, "participation.csv"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{SLUGS}-participation-{today()}.csv";')
    total = len(world.discussion.threads)
    data = rows(response)
    assert list(data[0]) == ["Member", "Pseudonym", "Role", "Posts", "Hidden", "Words",
                             f"Prompts answered (of {total})", "Replies given",
                             "Replies received", "First activity", "Last activity"]
    by_name = {r["Member"]: r for r in data}
    # A summary for assessment: real names beside pseudonyms, facilitators only.
    assert set(by_name) == {"Fay Facilitator", "Mo Moderator", "Ann Example", "Ben Other"}
    ann = by_name["Ann Example"]
    assert (ann["Pseudonym"], ann["Role"], ann["Posts"], ann["Hidden"], ann["Words"],
            ann[f"Prompts answered (of {total})"], ann["Replies given"],
            ann["Replies received"]) == ("Participant 3", "Participant", "2", "1", "8",
                                         "2", "0", "1")
    ben = by_name["Ben Other"]
    assert (ben["Posts"], ben["Words"], ben["Replies given"], ben["Replies received"],
            ben["Hidden"]) == ("1", "1", "1", "0", "0")
    assert ann["First activity"].endswith("Z") and ann["Last activity"] >= ann["First activity"]
    mo = by_name["Mo Moderator"]
    assert (mo["Posts"], mo["First activity"]) == ("0", "")


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
