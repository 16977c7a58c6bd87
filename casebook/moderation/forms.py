"""Moderation forms. The small action forms are also written out by hand in the
shared post and thread partials, so their field names must stay as they are."""

from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casebook.forms import BaseForm
from casebook.moderation.models import REPORT_REASONS, WATCH_ACTIONS
from casebook.moderation.service import MAX_REASON_LENGTH, MAX_REPORT_DETAIL, MUTE_DURATIONS


def _choices(options: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in options.items()]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ActionForm(BaseForm):
    """A button: CSRF plus where to go back to."""

    return_to = HiddenField()


class OptionalReasonForm(ActionForm):
    reason = StringField("Reason (optional)", filters=[_strip],
                         validators=[Optional(), Length(max=MAX_REASON_LENGTH)])


def _required_reason(message: str) -> StringField:
    """A reason the moderator must give; ``message`` says so when it is missing."""
    return StringField(
        "Reason", filters=[_strip],
        validators=[DataRequired(message=message),
                    Length(max=MAX_REASON_LENGTH,
                           message=f"Keep it to {MAX_REASON_LENGTH} characters or fewer.")],
    )


class ReasonForm(ActionForm):
    reason = _required_reason("Give a reason; the author will see it.")


class PinForm(ActionForm):
    # Text, not IntegerField: the view reads it with parse_id, which refuses ids
    # the database could not hold.
    post_id = HiddenField(validators=[InputRequired()])


class MuteForm(ActionForm):
    duration = SelectField(
        "Mute for", choices=[SelectChoice(k, v[0]) for k, v in MUTE_DURATIONS.items()],
        validators=[InputRequired(message="Choose how long.")],
    )
    reason = _required_reason("Give a reason for muting.")


class ReportForm(BaseForm):
    reason = RadioField("Why are you reporting this post?", choices=_choices(REPORT_REASONS),
                        validators=[InputRequired(message="Choose a reason.")])
    detail = TextAreaField(
        "Details", filters=[_strip],
        validators=[Optional(), Length(max=MAX_REPORT_DETAIL,
                                       message=f"Keep it to {MAX_REPORT_DETAIL:,} characters "
                                               "or fewer.")],
        description="Optional. Only the group's moderators see your report.",
    )


class WatchedWordForm(BaseForm):
    phrase = StringField(
        "Word or phrase", filters=[_strip],
        validators=[DataRequired(message="Enter a word or phrase."),
                    Length(min=2, max=200, message="Use between 2 and 200 characters.")],
        description="Matched as whole words, in any case: “Smith” does not catch “Smithfield”.",
    )
    action = RadioField("What happens", choices=_choices(WATCH_ACTIONS), default="hold",
                        validators=[InputRequired(message="Choose what happens.")])


class LogFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form; it changes nothing

    action = SelectField("Action", choices=[], validate_choice=False)
    member = SelectField("Member", choices=[], validate_choice=False,
                         description="Entries by or about this member.")
