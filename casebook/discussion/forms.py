from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from casebook.cases.models import STAGE_TITLES, STAGES
from casebook.deliberation.forms import TagFields
from casebook.discussion.models import ALL_OPEN, IDENTITY_MODES, NAMED, RELEASE_MODES
from casebook.discussion.service import PostRefused, check_length
from casebook.forms import BaseForm

MARKDOWN_HINT = ("Markdown: **bold**, *italic*, [links](https://…), > quotes, lists. "
                 "No images or HTML.")
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class DiscussionSettingsForm(BaseForm):
    """What a facilitator can change after creating a discussion."""

    title = StringField(
        "Title",
        validators=[Optional(), Length(max=200, message="Keep it to 200 characters or fewer.")],
        description="Optional. Leave it blank to use the case's title.",
    )
    opens_at = DateTimeLocalField(
        "Opens at", format=_DATETIME_FORMATS, validators=[Optional()],
        description="Optional. Leave it blank to open the discussion now.",
    )
    closes_at = DateTimeLocalField(
        "Closes at", format=_DATETIME_FORMATS, validators=[Optional()],
        description="Optional. After this the discussion is read-only.",
    )
    post_first = BooleanField(
        "Post first: participants see others' answers to a prompt only after posting their own"
    )
    # Not "Post first …": the label would read as a second "Post first" control.
    post_first_stage = SelectField(
        "Applies to",
        choices=[SelectChoice("", "Every prompt"),
                 *(SelectChoice(stage, f"Only the {STAGE_TITLES[stage]} stage's prompts")
                   for stage in STAGES)],
        validators=[Optional()],
        description="Which prompts post first covers, when it is ticked.",
    )
    identity = RadioField(
        "Identity", choices=[SelectChoice(k, v) for k, v in IDENTITY_MODES.items()], default=NAMED,
        validators=[InputRequired(message="Choose how members are named.")],
    )
    allow_member_threads = BooleanField("Members may start their own threads")

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError("The closing time must be after the opening time.")


def _stage_time(stage: str) -> DateTimeLocalField:
    return DateTimeLocalField(
        f"{STAGE_TITLES[stage]} opens at", format=_DATETIME_FORMATS, validators=[Optional()],
        description="Optional. Leave it blank to open this stage yourself.",
    )


class DiscussionForm(DiscussionSettingsForm):
    case_id = SelectField("Case", coerce=int,
                          validators=[InputRequired(message="Choose a case.")])
    # The case whose prompt boxes the page showed: the ticks count only for it.
    prompts_for = HiddenField()
    prompts = SelectMultipleField("Prompts", coerce=int, validate_choice=False)
    release = RadioField(
        "How the stages open", choices=[SelectChoice(k, v) for k, v in RELEASE_MODES.items()],
        # Left out, the group's default applies (as for forms made before stages existed).
        default=ALL_OPEN, validators=[Optional()],
    )
    opens_stakeholders = _stage_time("stakeholders")
    opens_lenses = _stage_time("lenses")
    opens_decide = _stage_time("decide")
    opens_reflect = _stage_time("reflect")
    choose_prompts = SubmitField("Show this case's prompts")

    def shows_prompts_of(self, case_id: int | None) -> bool:
        return case_id is not None and self.prompts_for.data == str(case_id)

    def stage_times(self) -> dict[str, object]:
        return {stage: getattr(self, f"opens_{stage}").data for stage in STAGES[1:]}

    def validate_prompts(self, field):
        if self.shows_prompts_of(self.case_id.data) and not field.data:
            raise ValidationError("Keep at least one prompt.")


# The page fills it with 32 characters; the column holds 64, and a longer
# value would fail in the database instead of here.
_SUBMISSION_KEY = [Length(max=64, message="This form was changed; reload the page and try again.")]


def _check_body(_form, field):
    try:
        check_length(field.data or "")
    except PostRefused as refusal:
        raise ValidationError(str(refusal)) from refusal


class PostForm(TagFields, BaseForm):
    body = TextAreaField("Your post", validators=[_check_body], description=MARKDOWN_HINT)
    reply_to = HiddenField()
    submission_key = HiddenField(validators=_SUBMISSION_KEY)
    preview = SubmitField("Preview")
    submit = SubmitField("Post")


class EditPostForm(TagFields, BaseForm):
    body = TextAreaField("Your post", validators=[_check_body], description=MARKDOWN_HINT)
    preview = SubmitField("Preview")
    submit = SubmitField("Save changes")


class NewThreadForm(TagFields, BaseForm):
    title = StringField(
        "Title",
        validators=[DataRequired(message="Give the thread a title."),
                    Length(max=200, message="Keep the title to 200 characters or fewer.")],
    )
    body = TextAreaField("Your post", validators=[_check_body], description=MARKDOWN_HINT)
    submission_key = HiddenField(validators=_SUBMISSION_KEY)
    preview = SubmitField("Preview")
    submit = SubmitField("Start thread")
