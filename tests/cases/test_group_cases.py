"""Cases a group writes for itself: the editor validates with the case-file
loader, puts its problems beside their fields, and the case stays inside the group."""

from html.parser import HTMLParser

import pytest

from casebook.accounts.models import User
from casebook.cases import authoring
from casebook.cases.loader import parse_case_text
from casebook.cases.models import Case
from casebook.cases.service import get_case
from casebook.discussion.models import Discussion, Thread
from casebook.groups import service as groups_service
from casebook.groups.models import FACILITATOR
from tests.conftest import CASES_DIR, db
from tests.factories import seminar

SLUG = "online-vigilantes"


class _Form(HTMLParser):
    """What a browser would send for the form posting to ``action``, without
    pressing any button."""

    def __init__(self, action: str):
        super().__init__()
        self.action = action
        self.fields: list[tuple[str, str]] = []
        self._in_form = self._done = False
        self._textarea = self._select = None
        self._text = ""
        self._select_value = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._done:
            return
        if tag == "form" and a.get("action") == self.action:
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("type") not in ("submit",):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select and ("selected" in a or self._select_value is None):
            self._select_value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # Browsers drop the newline right after <textarea>.
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_of(client, url: str, action: str | None = None) -> dict[str, str | list[str]]:
    """The fields of the form on page ``url`` that posts to ``action`` (``url`` itself
    when None), as the browser would send them."""
    parser = _Form(action or url)
    parser.feed(client.get(url).get_data(as_text=True))
    assert parser.fields, f"no form posting to {action or url}"
    data: dict = {}
    for name, value in parser.fields:
        if name in data:
            data[name] = [*(data[name] if isinstance(data[name], list) else [data[name]]), value]
        else:
            data[name] = value
    return data


@pytest.fixture
def world(app, cases, session):
    return seminar(session)


def copy_case(client, gid: int) -> str:
    """Copy the library case into group ``gid``; returns the editor's URL."""
    data = form_of(client, f"/cases/{SLUG}/copy")
    data["group_id"] = str(gid)
    response = client.post(f"/cases/{SLUG}/copy", data={**data, "submit": "Copy"})
    assert response.status_code == 302
    return response.headers["Location"]


def test_library_case_file_round_trips_through_the_download_format(app, cases, session):
    case = get_case(session, SLUG)
    original = parse_case_text((CASES_DIR / f"{SLUG}.md").read_text(), CASES_DIR / "x.md")
    again = parse_case_text(authoring.case_file(case), CASES_DIR / "x.md")
    for name in ("slug", "title", "summary", "themes", "content_note", "reading_minutes",
                 "sources", "stakeholders", "lenses", "prompts", "positions", "body",
                 "teaching_notes"):
        assert getattr(again, name) == getattr(original, name), name


def test_facilitator_copies_edits_and_downloads_a_case(app, world, client_for):
    fay = client_for(world.fac)
    assert "Copy to my group" in fay.get(f"/cases/{SLUG}").get_data(as_text=True)
    editor = copy_case(fay, world.gid)
    assert editor == f"/groups/{world.gid}/cases/{SLUG}/edit"

    data = form_of(fay, editor)
    data["prompts_decide-0-text"] = "Should the *unit* work with the group, and on what terms?"
    preview = fay.post(editor, data={**data, "preview": "Preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<li>Should the <em>unit</em> work with the group" in html

    saved = fay.post(editor, data={**data, "save": "Save"})
    assert saved.status_code == 302
    page = fay.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Should the <em>unit</em> work with the group" in page

    download = fay.get(f"/groups/{world.gid}/cases/{SLUG}/download")
    assert download.headers["Content-Disposition"] == f'attachment; filename="{SLUG}.md"'
    parsed = parse_case_text(download.get_data(as_text=True), CASES_DIR / "x.md")
    decide = [p for p in parsed.prompts if p.stage == "decide"]
    assert decide[0].text == "Should the *unit* work with the group, and on what terms?"
    library = parse_case_text((CASES_DIR / f"{SLUG}.md").read_text(), CASES_DIR / "x.md")
    assert [p.key for p in parsed.prompts] == [p.key for p in library.prompts]
    assert parsed.body == library.body


def test_problems_appear_beside_their_fields(app, world, client_for):
    fay = client_for(world.fac)
    editor = copy_case(fay, world.gid)
    data = form_of(fay, editor)
    data.update({"title": "", "summary": "x" * 1001,
                 "prompts_decide-0-text": "y" * 2001, "reading_minutes": "many",
                 "sources": "A source with no publisher"})
    response = fay.post(editor, data={**data, "save": "Save"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#title">Title: Must be non-empty text.</a>' in html
    assert '<a href="#summary">Summary: Is longer than 1000 characters.</a>' in html
    assert ('<a href="#prompts_decide-0-text">Decide: prompt 1: '
            'Is longer than 2000 characters.</a>') in html
    assert "Reading time in minutes: Must be a whole number of minutes from 1 to 120." in html
    assert "Sources: Line 1: publisher is missing." in html
    # Beside the field, tied to it for screen readers.
    assert 'aria-describedby="prompts_decide-0-text-error"' in html
    assert 'id="prompts_decide-0-text-error">Is longer than 2000 characters.' in html
    with db(app) as session:
        case = authoring.get_group_case(session, world.gid, SLUG)
        assert case.title == get_case(session, SLUG).title  # nothing saved


def test_new_case_from_scratch_needs_what_a_case_file_needs(app, world, client_for):
    fay = client_for(world.fac)
    url = f"/groups/{world.gid}/cases/new"
    data = form_of(fay, url)
    response = fay.post(url, data={**data, "title": "Our own case", "save": "Save"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for problem in ("Content note: Must be non-empty text.",
                    "Case text (Markdown): The case needs a Markdown body",
                    "Stakeholders: Must be a non-empty list.",
                    "Ethical lenses: Must be a non-empty list.",
                    "Understand the case: prompt 1: Must map stages"):
        assert problem in html
    data.update({
        "title": "Our own case", "summary": "A short summary.", "content_note":
        "Refers to child sexual abuse without detail.", "themes": "Prevention, vigilantism",
        "reading_minutes": "5", "body": "## The decision\n\nYou chair the panel.",
        "stakeholders": "Children | to be safe", "sources": "A report | A publisher | date: 2020",
        "lenses": "care", "prompts_decide-0-text": "What do you decide?",
        "positions-0-text": "Panels should decide.",
    })
    response = fay.post(url, data={**data, "save": "Save"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/groups/{world.gid}/cases/our-own-case"
    with db(app) as session:
        case = authoring.get_group_case(session, world.gid, "our-own-case")
        assert case.theme_names == ["prevention", "vigilantism"]
        assert [(p.key, p.stage) for p in case.prompts] == [("decide-1", "decide")]
        assert case.sources == [{"title": "A report", "publisher": "A publisher",
                                 "date": "2020"}]


def test_group_case_is_private_to_its_group(app, world, client_for):
    fay = client_for(world.fac)
    copy_case(fay, world.gid)
    with db(app) as session:
        case = authoring.get_group_case(session, world.gid, SLUG)
        case.title = "Our private version"
        session.commit()
    page = f"/groups/{world.gid}/cases/{SLUG}"
    assert client_for(world.ann).get(page).status_code == 200
    for outsider in (client_for(world.out), client_for(None)):
        for url in (page, page + "/download", page + "/edit", f"/groups/{world.gid}/cases"):
            assert outsider.get(url).status_code == 404, url
    # A participant reads but does not edit.
    assert client_for(world.ann).get(page + "/edit").status_code == 403
    library = client_for(None).get("/cases/?q=private").get_data(as_text=True)
    assert "Our private version" not in library
    assert "Our private version" not in client_for(world.ann).get("/cases/").get_data(
        as_text=True)
    # Another group's facilitator cannot start a discussion on it.
    other = client_for(world.out)
    new = f"/groups/{world.other_group.id}/discussions/new"
    assert "Our private version" not in other.get(new).get_data(as_text=True)
    assert "Our private version" in fay.get(f"/groups/{world.gid}/discussions/new").get_data(
        as_text=True)
    data = form_of(other, new)
    response = other.post(new, data={**data, "case_id": str(case.id)})
    assert response.status_code == 422
    with db(app) as session:
        assert session.query(Discussion).filter_by(case_id=case.id).count() == 0


def test_editing_keeps_the_threads_of_existing_discussions(app, world, client_for):
    fay = client_for(world.fac)
    editor = copy_case(fay, world.gid)
    with db(app) as session:
        case = authoring.get_group_case(session, world.gid, SLUG)
        group = session.get(type(world.group), world.gid)
        from casebook.discussion import service as discussions
        discussion = discussions.create_discussion(session, group, case, world.fac)
        first = {t.prompt.key: t.prompt_id for t in discussion.threads if t.prompt_id}
    data = form_of(fay, editor)
    removed_key = data["prompts_understand-0-key"]
    data["prompts_understand-0-text"] = ""
    data["prompts_decide-0-text"] = "A reworded decision?"
    assert fay.post(editor, data={**data, "save": "Save"}).status_code == 302
    with db(app) as session:
        threads = session.query(Thread).filter_by(discussion_id=discussion.id).all()
        assert {t.prompt.key: t.prompt_id for t in threads if t.prompt_id} == first
        prompts = {t.prompt.key: t.prompt for t in threads if t.prompt_id}
        assert prompts[removed_key].retired
        decide = next(p for p in prompts.values() if p.stage == "decide")
        assert decide.text_md == "A reworded decision?"


def test_deleting_the_group_takes_its_cases_and_their_discussions(app, world, client_for):
    copy_case(client_for(world.fac), world.gid)
    with db(app) as session:
        case = authoring.get_group_case(session, world.gid, SLUG)
        group = session.get(type(world.group), world.gid)
        from casebook.discussion import service as discussions
        discussions.create_discussion(session, group, case, world.fac)
        groups_service.delete_group(session, group, group.name)
    with db(app) as session:
        assert session.query(Case).filter(Case.group_id.is_not(None)).count() == 0
        assert get_case(session, SLUG) is not None


def test_characters_the_database_cannot_store_are_refused_beside_the_prompt(app, world,
                                                                          client_for):
    fay = client_for(world.fac)
    editor = copy_case(fay, world.gid)
    data = form_of(fay, editor)
    data["prompts_reflect-0-text"] = "Has your view\x00 changed?"
    response = fay.post(editor, data={**data, "save": "Save"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#prompts_reflect-0-text">Reflect: prompt 1: This contains characters' in html


def test_an_edited_case_changes_the_tags_its_threads_offer(app, world, client_for):
    """The thread page keeps its tag filter and blank reply form per case content
    (discussion.thread_chrome): an edit must show on the next view."""
    fay, ann = client_for(world.fac), client_for(world.ann)
    editor = copy_case(fay, world.gid)
    with db(app) as session:
        case = authoring.get_group_case(session, world.gid, SLUG)
        group = session.get(type(world.group), world.gid)
        from casebook.discussion import service as discussions
        discussion = discussions.create_discussion(session, group, case, world.fac)
        url = f"/groups/{world.gid}/threads/{discussion.threads[0].id}"
    for _ in range(2):  # the second view is drawn from what was kept
        page = ann.get(url).get_data(as_text=True)
    assert ">Rights and duties</label>" in page and "tag=lens%3Arights" in page

    data = form_of(fay, editor)
    data["lenses"] = "care"
    assert fay.post(editor, data={**data, "save": "Save"}).status_code == 302
    page = ann.get(url).get_data(as_text=True)
    assert ">Care</label>" in page and "tag=lens%3Acare" in page
    assert "Rights and duties" not in page and "lens%3Arights" not in page


def test_copy_is_offered_once_the_viewer_facilitates_a_group(app, world, client_for):
    """The case page asks the user loader whether the viewer facilitates a group,
    and is kept per viewer: a new facilitator sees the offer on their next view."""
    ann = client_for(world.ann)
    for _ in range(2):  # the second view is the kept copy
        assert "Copy to my group" not in ann.get(f"/cases/{SLUG}").get_data(as_text=True)
    with db(app) as session:
        groups_service.membership_of(session, world.gid, session.get(User, world.ann.id)
                                     ).role = FACILITATOR
        session.commit()
    assert "Copy to my group" in ann.get(f"/cases/{SLUG}").get_data(as_text=True)
