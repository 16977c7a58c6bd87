from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField, SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from casebook.cases.models import STAGE_TITLES
from casebook.discussion.models import IDENTITY_MODES, RELEASE_MODES
from casebook.forms import BaseForm
from casebook.groups.models import (
    CUSTOM,
    DELETED_MEMBER_POSTS,
    GROUP_KINDS,
    PREMODERATION,
    PRESETS,
    ROLES,
)
from casebook.groups.service import PREMODERATION_MAX_N
from casebook.notifications.models import EMAIL_CHOICES

_NAME = [DataRequired(message="Enter a name for the group."),
         Length(max=120, message="Keep the name to 120 characters or fewer.")]
_DESCRIPTION = [Optional(), Length(max=5000, message="Keep it to 5,000 characters or fewer.")]
_DESCRIPTION_HINT = ("Optional. Shown to members on the group's page. You can use Markdown: "
                     "*italic*, **bold**, [links](https://example.org) and lists.")


def _choices(options: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in options.items()]


_KIND_MESSAGE = "Choose what kind of group this is."
_KIND = {"choices": _choices(GROUP_KINDS), "invalid_choice_message": _KIND_MESSAGE,
         "validators": [InputRequired(message=_KIND_MESSAGE)]}
_APPROVAL = ("Require approval to join (people with the code ask to join, "
             "and a facilitator lets them in)")


class GroupForm(BaseForm):
    name = StringField("Name", validators=_NAME)
    description = TextAreaField("Description", validators=_DESCRIPTION,
                                description=_DESCRIPTION_HINT)
    kind = RadioField("Kind of group", **_KIND)
    requires_approval = BooleanField(_APPROVAL)


_PRESET_MESSAGE = "Choose a preset, or Custom to set everything yourself."
PRESET_CHOICES = {**{key: p.title for key, p in PRESETS.items()}, CUSTOM: "Custom"}
PRESET_DESCRIPTIONS = {**{key: p.description for key, p in PRESETS.items()},
                       CUSTOM: "Start from plain defaults (named, all stages open, no post "
                               "first) and choose the kind of group below."}


class CreateGroupForm(GroupForm):
    preset = RadioField(
        "Preset", choices=_choices(PRESET_CHOICES), default=CUSTOM,
        invalid_choice_message=_PRESET_MESSAGE,
        # Left out, the group is Custom: the kind chosen below and plain defaults.
        validators=[Optional()],
        description="A preset fills the group's settings and the defaults for its "
                    "discussions. You can change each of them afterwards.",
    )
    # A preset names its kind; only Custom asks for one.
    kind = RadioField("Kind of group (for Custom)", choices=_choices(GROUP_KINDS),
                      validators=[Optional()], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        preset = PRESETS.get(self.preset.data)
        if preset is not None:
            self.kind.data = preset.kind
        elif self.kind.data not in GROUP_KINDS and not self.preset.errors:
            self.kind.errors = [*self.kind.errors, _KIND_MESSAGE]
            ok = False
        return ok


class SettingsForm(GroupForm):
    premoderation = RadioField(
        "Pre-moderation", choices=_choices(PREMODERATION),
        invalid_choice_message="Choose when posts wait for a moderator.",
        validators=[InputRequired(message="Choose when posts wait for a moderator.")],
        description="Held posts appear only once a facilitator or moderator approves them. "
                    "Facilitators' and moderators' own posts are never held.",
    )
    premoderation_first_n = IntegerField(
        "Number of first posts to hold",
        validators=[Optional(), NumberRange(min=1, max=PREMODERATION_MAX_N,
                                            message=f"Enter a number from 1 to "
                                                    f"{PREMODERATION_MAX_N}.")],
        # Matches moderation.screening.premoderation_hold: published posts count.
        description=f"Used with “For a member's first posts”: each participant's posts in "
                    f"this group wait for a moderator's approval until this many of them "
                    f"(1 to {PREMODERATION_MAX_N}) have been approved. Rejected or hidden "
                    f"posts don't count towards the number.",
        render_kw={"min": 1, "max": PREMODERATION_MAX_N, "inputmode": "numeric"},
    )

    default_identity = RadioField(
        "Identity in new discussions", choices=_choices(IDENTITY_MODES),
        invalid_choice_message="Choose how members are named.",
        # Left out, the group's current default stays.
        validators=[Optional()],
    )
    default_release = RadioField(
        "How new discussions' stages open", choices=_choices(RELEASE_MODES),
        invalid_choice_message="Choose how the stages open.",
        validators=[Optional()],
    )
    default_post_first = BooleanField("Post first in new discussions")
    default_post_first_stage = SelectField(
        "Post first applies to",
        choices=[SelectChoice("", "Every prompt"),
                 *(SelectChoice(stage, f"Only the {title} stage's prompts")
                   for stage, title in STAGE_TITLES.items())],
        validators=[Optional()],
    )
    default_police_prompts = BooleanField(
        "Keep the National Decision Model and Code of Ethics prompts ticked when starting "
        "a discussion")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if (self.premoderation.data == "first" and self.premoderation_first_n.data is None
                and not self.premoderation_first_n.errors):
            self.premoderation_first_n.errors.append(
                f"Enter how many first posts to hold, from 1 to {PREMODERATION_MAX_N}.")
            ok = False
        return ok


class JoinForm(BaseForm):
    code = StringField(
        "Join code",
        validators=[DataRequired(message="Enter the join code your facilitator gave you."),
                    Length(max=40, message="That is longer than a join code.")],
        description="10 letters and numbers, for example ABCDE-FGHJK. Capitals, spaces and "
                    "hyphens don't matter.",
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )


class ExpiryForm(BaseForm):
    expires_at = DateTimeLocalField(
        "Code expires at", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description="In your time zone. Leave empty for a code that doesn't expire.",
    )


class RoleForm(BaseForm):
    role = SelectField("New role", choices=_choices(ROLES),
                       invalid_choice_message="Choose facilitator, moderator or participant.",
                       validators=[InputRequired(message="Choose a role.")])


class RemoveForm(BaseForm):
    reason = StringField("Reason (optional)",
                         validators=[Optional(), Length(max=500, message="Keep it short.")],
                         description="Kept in the moderation log; not shown to the person.")


class DecisionForm(BaseForm):
    decision = StringField(validators=[AnyOf(["approve", "decline"],
                                             message="Choose approve or decline.")])


class ButtonForm(BaseForm):
    """No fields: a CSRF-protected button (rotate, disable, leave)."""


class DeletedMemberPostsForm(BaseForm):
    deleted_member_posts = RadioField(
        "When a member deletes their account, their posts in this group",
        choices=_choices(DELETED_MEMBER_POSTS),
        invalid_choice_message="Choose what happens to a deleted member's posts.",
        validators=[InputRequired(message="Choose what happens to a deleted member's posts.")],
        description="Either way their name, email and pseudonym are erased. Removing "
                    "also erases the text; replies to it stay.",
    )


class EmailDefaultForm(BaseForm):
    email_default = RadioField(
        "Email members about their notifications",
        choices=_choices(EMAIL_CHOICES),
        invalid_choice_message="Choose how members are emailed.",
        validators=[InputRequired(message="Choose how members are emailed.")],
        description="For members who have not chosen for themselves on their account page.",
    )


class DeleteGroupForm(BaseForm):
    name = StringField(
        "Type the group's name to confirm",
        validators=[DataRequired(message="Type the group's name to confirm.")],
        render_kw={"spellcheck": "false"},
    )
