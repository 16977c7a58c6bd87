from wtforms import RadioField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from casebook.cases.models import Position
from casebook.forms import BaseForm
from casebook.polls.models import REASON_LENGTH, SCALE


class PollForm(BaseForm):
    """One radio group and one optional reason per statement; built for a case's
    positions by ``poll_form``."""

    def statements(self) -> list[tuple[Position, RadioField, StringField]]:
        return [(p, self[f"position_{p.id}"], self[f"reason_{p.id}"]) for p in self.polled]

    def given(self) -> dict[int, tuple[int, str | None]]:
        return {p.id: (choice.data, reason.data) for p, choice, reason in self.statements()}


def poll_form(polled: list[Position], earlier: dict | None = None, **kwargs) -> PollForm:
    """A PollForm for ``polled``, filled from ``earlier`` answers ({position_id: PollAnswer})
    when not submitted."""
    class Form(PollForm):
        pass

    for position in polled:
        setattr(Form, f"position_{position.id}", RadioField(
            position.text, coerce=int,
            choices=[SelectChoice(value, label) for value, label in SCALE.items()],
            validators=[InputRequired(message="Choose where you stand on this statement.")],
        ))
        setattr(Form, f"reason_{position.id}", StringField(
            "Why? (optional, one line)",
            validators=[Optional(), Length(
                max=REASON_LENGTH,
                message=f"Keep the reason to {REASON_LENGTH} characters or fewer.")],
            filters=[lambda text: " ".join(text.split()) if isinstance(text, str) else text],
        ))
    data = {}
    for position_id, answer in (earlier or {}).items():
        data[f"position_{position_id}"] = answer.value
        data[f"reason_{position_id}"] = answer.reason or ""
    form = Form(data=data, **kwargs)
    form.polled = polled
    return form
