"""The "Tag this post" fields of the post forms, and the stakeholder roles form."""

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, SubmitField
from wtforms.fields import SelectChoice
from wtforms.validators import ValidationError

from casebook.cases.models import Case
from casebook.deliberation import service
from casebook.forms import BaseForm

UNKNOWN_LENS = "Choose lenses from this case's list."
UNKNOWN_STAKEHOLDER = "Choose stakeholders from this case's list."


def _known(message: str):
    def check(_form, field):
        offered = {choice.value for choice in field.choices or []}
        if any(value not in offered for value in field.data or []):
            raise ValidationError(message)
    return check


class TagFields:
    """Mixed into the post forms; ``offer_tags`` gives them the case's choices.

    Choices are checked by our own validators, so an unknown key reads as a
    sentence a person understands rather than WTForms' "not a valid choice"."""

    lenses = SelectMultipleField("Lenses", validate_choice=False,
                                 validators=[_known(UNKNOWN_LENS)])
    stakeholders = SelectMultipleField("Stakeholders", validate_choice=False,
                                       validators=[_known(UNKNOWN_STAKEHOLDER)])

    def tag_rows(self, case: Case, role: service.Stakeholder | None = None):
        return service.new_post_tags(case, self.lenses.data or [],
                                     self.stakeholders.data or [], role)


def offer_tags(form: FlaskForm, case: Case) -> FlaskForm:
    form.lenses.choices = [SelectChoice(k, label) for k, label in service.lenses(case)]
    form.stakeholders.choices = [SelectChoice(s.key, s.name)
                                 for s in service.stakeholders(case)]
    return form


NO_ROLE = ""
UNKNOWN_ROLE = "Choose one of this case's stakeholders, or No role."


def _one_of(message: str):
    def check(_form, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(message)
    return check


def roles_form(case: Case, members: list, label_of, formdata=None, data=None) -> BaseForm:
    """One select per participant (``role-<membership id>``), labelled by
    ``label_of(membership)``, offering the case's stakeholders or no role."""
    choices = [SelectChoice(NO_ROLE, "No role"),
               *(SelectChoice(s.key, s.name) for s in service.stakeholders(case))]

    class RolesForm(BaseForm):
        save = SubmitField("Save roles")

    for membership in members:
        setattr(RolesForm, f"role-{membership.id}", SelectField(
            str(label_of(membership)), choices=choices, default=NO_ROLE,
            validate_choice=False, validators=[_one_of(UNKNOWN_ROLE)]))
    return RolesForm(formdata=formdata, data=data)


def chosen_roles(form: BaseForm) -> dict[int, str | None]:
    return {int(name.removeprefix("role-")): (field.data or None)
            for name, field in form._fields.items() if name.startswith("role-")}
