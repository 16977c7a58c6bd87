"""Teaching notes beside the discussion: facilitators and moderators only."""

import pytest

from casebook.cases.loader import parse_case_file
from tests.cases.casefiles import SAMPLE
from tests.discussion.conftest import page_text

NOTES = parse_case_file(SAMPLE).teaching_notes
OBJECTIVE = NOTES["objectives"][0]
PITFALL = NOTES["pitfalls"][0]


def _visible(text: str) -> str:
    return text.replace("'", "&#39;")


def _discussion_url(w) -> str:
    return f"/groups/{w.gid}/discussions/{w.discussion.id}"


@pytest.mark.parametrize("who", ["fac", "mod"])
def test_facilitators_and_moderators_see_the_notes_beside_the_discussion(world, client_for, who):
    page = page_text(client_for(getattr(world, who)).get(_discussion_url(world)))

    notes = page.split('<h2 id="teaching-notes-heading">Teaching notes</h2>', 1)[1]
    notes = notes.split("</section>", 1)[0]
    assert _visible(OBJECTIVE) in notes
    assert _visible(PITFALL) in notes
    assert "A 90-minute seminar" in notes and "A six-week reading group" in notes
    # Plan steps name their prompts by text, as the discussion lists them.
    assert "What exactly did DS Andy Nash claim" in notes
    assert 'href="/support"' in notes


@pytest.mark.parametrize("who", ["ann", "admin"])
def test_participants_and_visiting_admins_never_see_the_notes(world, client_for, who):
    client = client_for(getattr(world, who))
    pages = [
        page_text(client.get(_discussion_url(world))),
        page_text(client.get(f"{_discussion_url(world)}/case")),
        page_text(client.get("/cases/online-vigilantes/read")),
    ]

    for page in pages:
        assert "Teaching notes" not in page
        assert _visible(OBJECTIVE) not in page
        assert _visible(PITFALL) not in page


def test_exports_never_carry_the_notes(world, client_for):
    facilitator = client_for(world.fac)
    for name in ("transcript.md", "transcript.csv", "participation.csv"):
        response = facilitator.get(f"{_discussion_url(world)}/{name}")
        assert response.status_code == 200
        body = page_text(response)
        assert OBJECTIVE not in body
        assert PITFALL not in body
        assert NOTES["safeguarding"][:60] not in body

    refused = client_for(world.ann).get(f"{_discussion_url(world)}/transcript.md")
    assert refused.status_code in (403, 404)
