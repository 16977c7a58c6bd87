"""The editor for a group's own case.

The form checks nothing about the case itself: ``front`` builds the same
front matter a case file has, the loader validates it, and ``show_problems``
puts each of the loader's problems beside the field it is about.
"""

import copy

from wtforms import Form
from wtforms.fields import (
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from casebook.cases.loader import CaseProblem
from casebook.cases.models import LENSES, STAGE_TITLES, STAGES
from casebook.forms import NUL_MESSAGE, BaseForm

# Empty boxes offered after the current prompts of each stage, to add more.
SPARE_PROMPTS = 1
POSITION_SLOTS = 3


class PromptEntry(Form):
    key = HiddenField()
    text = TextAreaField("Prompt", render_kw={"rows": 2})
    lens = SelectField("Lens", choices=[("", "No lens"), *LENSES.items()])


class PositionEntry(Form):
    key = HiddenField()
    text = StringField("Position")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|")]


class CaseForm(BaseForm):
    title = StringField("Title")
    summary = TextAreaField("Summary", description="One or two sentences.",
                            render_kw={"rows": 2})
    content_note = TextAreaField(
        "Content note", render_kw={"rows": 2},
        description="One to three sober sentences on the difficult material the case "
                    "touches, shown before anything else.")
    themes = StringField("Themes", description="Short labels, separated by commas.")
    reading_minutes = StringField("Reading time in minutes", render_kw={"inputmode": "numeric"})
    body = TextAreaField("Case text (Markdown)", render_kw={"rows": 18},
                         description="Level-2 sections (## The decision, ## Background, "
                                     "## Key facts, ## The tensions); no raw HTML.")
    stakeholders = TextAreaField("Stakeholders", render_kw={"rows": 5},
                                 description="One a line: name | what they want, fear or "
                                             "are owed.")
    sources = TextAreaField("Sources", render_kw={"rows": 5},
                            description="One a line: title | publisher, then optionally "
                                        "| author: … | date: … | note: …")
    lenses = SelectMultipleField("Ethical lenses", choices=list(LENSES.items()),
                                 validate_choice=False)
    positions = FieldList(FormField(PositionEntry), min_entries=POSITION_SLOTS)
    preview = SubmitField("Preview")
    save = SubmitField("Save case")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # BaseForm looks at top-level fields only; PostgreSQL refuses NULs anywhere.
        for _stage, entries in [*self.stage_prompts(), ("", self.positions)]:
            for entry in entries:
                if "\x00" in (entry.form.text.data or ""):
                    entry.form.text.errors = [NUL_MESSAGE]
                    ok = False
        return ok

    def stage_prompts(self):
        return [(stage, self[f"prompts_{stage}"]) for stage in STAGES]

    def offer_spare_boxes(self) -> None:
        """One empty box after each stage's prompts and enough position boxes
        (before validating too: a problem of a stage is shown on its first box)."""
        for _stage, entries in self.stage_prompts():
            while (len(entries) < SPARE_PROMPTS
                   or (entries.entries[-1].form.text.data or "").strip()):
                entries.append_entry({"key": "", "text": "", "lens": ""})
        while len(self.positions) < POSITION_SLOTS:
            self.positions.append_entry({"key": "", "text": ""})
        self.label_entries()

    def label_entries(self) -> None:
        """Each box its own label, for the page and the error summary."""
        for stage, entries in self.stage_prompts():
            for i, entry in enumerate(entries, start=1):
                entry.form.text.label.text = f"{STAGE_TITLES[stage]}: prompt {i}"
                entry.form.lens.label.text = f"Lens of {STAGE_TITLES[stage].lower()} prompt {i}"
        for i, entry in enumerate(self.positions, start=1):
            entry.form.text.label.text = f"Position {i}"

    def load(self, front: dict, body: str) -> None:
        """Fill the form from a case's front matter and body (a GET)."""
        self.title.data = front["title"]
        self.summary.data = front["summary"]
        self.content_note.data = front["content_note"]
        self.themes.data = ", ".join(front["themes"])
        self.reading_minutes.data = str(front["reading_minutes"])
        self.body.data = body
        self.stakeholders.data = "\n".join(f"{s['name']} | {s['interest']}"
                                           for s in front["stakeholders"])
        self.sources.data = "\n".join(
            " | ".join([s["title"], s["publisher"],
                        *(f"{key}: {s[key]}" for key in ("author", "date", "note") if key in s)])
            for s in front["sources"])
        self.lenses.data = list(front["lenses"])
        for stage, entries in self.stage_prompts():
            for item in front["prompts"].get(stage, []):
                entries.append_entry({"key": item["id"], "text": item["text"],
                                      "lens": item.get("lens") or ""})
        for item in front["positions"]:
            self.positions.append_entry({"key": item["id"], "text": item["text"]})

    def front(self, slug: str, taken_keys: set[str], keep: dict) -> dict:
        """The front matter the form describes. A new prompt or position gets an id
        no prompt of the case ever had (``taken_keys``), so a retired prompt's
        threads never show new text. ``keep`` holds what the form does not edit
        (teaching notes), carried over unchanged."""
        used = set(taken_keys)

        def new_key(prefix: str) -> str:
            n = 1
            while f"{prefix}-{n}" in used:
                n += 1
            used.add(f"{prefix}-{n}")
            return f"{prefix}-{n}"

        minutes = (self.reading_minutes.data or "").strip()
        prompts = {}
        # Where each prompt in the front matter came from, to place its problems.
        self._prompt_rows = {}
        for stage, entries in self.stage_prompts():
            items = []
            for row, entry in enumerate(entries):
                text = (entry.form.text.data or "").strip()
                if not text:
                    continue  # an emptied box removes the prompt
                item = {"id": entry.form.key.data or new_key(stage), "text": text}
                if entry.form.lens.data:
                    item["lens"] = entry.form.lens.data
                self._prompt_rows[(stage, len(items))] = row
                items.append(item)
            if items:
                prompts[stage] = items
        positions = []
        self._position_rows = {}
        for row, entry in enumerate(self.positions):
            text = (entry.form.text.data or "").strip()
            if text:
                self._position_rows[len(positions)] = row
                positions.append({"id": entry.form.key.data or new_key("position"),
                                  "text": text})
        ids = {item["id"] for items in prompts.values() for item in items}
        if keep.get("teaching_notes"):
            # The plans name prompts; one removed here leaves the plans, not an error
            # about notes this editor cannot change.
            notes = copy.deepcopy(keep["teaching_notes"])
            for plan in ("seminar_plan", "reading_group_plan"):
                for step in notes.get(plan, []):
                    step["prompts"] = [key for key in step.get("prompts", []) if key in ids]
            keep = {**keep, "teaching_notes": notes}
        return {
            "slug": slug,
            "title": self.title.data or "",
            "summary": self.summary.data or "",
            "themes": [t.strip() for t in (self.themes.data or "").split(",") if t.strip()],
            "content_note": self.content_note.data or "",
            "reading_minutes": int(minutes) if minutes.isdigit() else minutes,
            "sources": [_source(line) for line in _lines(self.sources.data)],
            "stakeholders": [_stakeholder(line) for line in _lines(self.stakeholders.data)],
            "lenses": list(self.lenses.data or []),
            "prompts": prompts,
            "positions": positions,
            **keep,
        }

    def show_problems(self, problems: list[CaseProblem]) -> list[tuple[str, str, str]]:
        """Put each problem on its field; returns the error summary's rows
        ``(field id, label, message)`` in the order of the page."""
        rows = []
        for problem in problems:
            field, message = self._place(problem.field, problem.message)
            field.errors = [*field.errors, message]
            rows.append((field.id, field.label.text, message))
        return rows

    def _place(self, where: str, message: str):
        head, _, rest = where.partition(".")
        name, index, sub = _split_index(where)
        if head == "prompts":
            stage, index, sub = _split_index(rest.partition(".")[0]) if rest else ("", None, "")
            if stage not in STAGES:
                entries = self[f"prompts_{STAGES[0]}"]
                return entries[0].form.text, (
                    f"“{stage}” is not a stage." if stage else _sentence(message))
            entries = self[f"prompts_{stage}"]
            if index is None:
                return entries[0].form.text, _sentence(message)
            entry = entries[self._prompt_rows[(stage, index)]].form
            part = rest.partition(".")[2]
            if part == "lens":
                return entry.lens, _sentence(message)
            return entry.text, _sentence(message if part == "text" else f"{part} {message}")
        if name == "positions":
            if index is None:
                return self.positions[0].form.text, _sentence(message)
            entry = self.positions[self._position_rows[index]].form
            return entry.text, _sentence(message if sub in ("", "text") else f"{sub} {message}")
        if name in ("sources", "stakeholders", "themes", "lenses") and index is not None:
            detail = f"{sub} {message}" if sub else message
            label = "lens" if name == "lenses" else "line" if name != "themes" else "theme"
            return self[name], f"{label.title()} {index + 1}: {detail}."
        if name == "slug":
            return self.title, "Use a title made of letters or digits."
        if name in self._fields:
            return self[name], _sentence(message)
        # Teaching notes are not edited here; they name prompts by id, so removing
        # a prompt they use is a problem of the prompts.
        entries = self[f"prompts_{STAGES[0]}"]
        return entries[0].form.text, _sentence(f"the teaching notes ({where}) {message}")


for _stage in STAGES:
    setattr(CaseForm, f"prompts_{_stage}", FieldList(FormField(PromptEntry)))


class CopyForm(BaseForm):
    group_id = SelectField("Copy into", coerce=int,
                           validators=[InputRequired(message="Choose a group.")])
    submit = SubmitField("Copy to my group")


def _split_index(part: str) -> tuple[str, int | None, str]:
    """``sources[2].title`` → (``sources``, 2, ``title``)."""
    name, bracket, rest = part.partition("[")
    if not bracket:
        return name, None, ""
    number, _, after = rest.partition("]")
    return name, int(number) if number.isdigit() else None, after.lstrip(".")


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _source(line: str) -> dict:
    cells = _cells(line)
    source = {"title": cells[0]}
    if len(cells) > 1:
        source["publisher"] = cells[1]
    for cell in cells[2:]:
        key, _, value = cell.partition(":")
        source[key.strip().lower()] = value.strip()
    return source


def _stakeholder(line: str) -> dict:
    cells = _cells(line)
    return {"name": cells[0], **({"interest": " | ".join(cells[1:])} if len(cells) > 1 else {})}
