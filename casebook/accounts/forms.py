from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Regexp

from casebook.accounts.service import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from casebook.forms import BaseForm
from casebook.notifications.models import EMAIL_CHOICES
from casebook.timefmt import timezone_names

MAX_DISPLAY_NAME_LENGTH = 80

_EMAIL = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@example.org."
)
_NEW_PASSWORD = [
    InputRequired(message="Choose a password."),
    Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
           message=f"Use at least {MIN_PASSWORD_LENGTH} characters."),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _display_name_field(description: str) -> StringField:
    return StringField(
        "Display name", filters=[_strip],
        validators=[DataRequired(message="Enter the name others will see."),
                    Length(max=MAX_DISPLAY_NAME_LENGTH,
                           message=f"Keep it to {MAX_DISPLAY_NAME_LENGTH} characters or fewer.")],
        description=description,
    )


def _email_field(description: str = "") -> EmailField:
    return EmailField(
        "Email", description=description,
        validators=[DataRequired(message="Enter your email address."),
                    Length(max=254, message="That email address is too long."), _EMAIL],
    )


def _new_password_fields(name: str, label: str) -> tuple[PasswordField, PasswordField]:
    """A new password field called ``name`` and the field that repeats it."""
    return (
        PasswordField(label, validators=_NEW_PASSWORD,
                      description=f"At least {MIN_PASSWORD_LENGTH} characters."),
        PasswordField(
            f"Repeat {label.lower()}",
            validators=[InputRequired(message=f"Repeat your {label.lower()}."),
                        EqualTo(name, message="The two passwords do not match.")],
        ),
    )


class RegisterForm(BaseForm):
    display_name = _display_name_field("Shown to the members of your groups.")
    email = _email_field()
    password, confirm = _new_password_fields("password", "Password")
    next = HiddenField()


class DisplayNameForm(BaseForm):
    display_name = _display_name_field(
        "Shown to the members of your groups. In pseudonymous discussions other "
        "participants still see your pseudonym, not this name."
    )


class SignInForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address.")])
    password = PasswordField("Password", validators=[InputRequired(message="Enter your password.")])
    remember = BooleanField("Remember me on this device")
    next = HiddenField()


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired(message="Enter your current password.")]
    )
    new_password, confirm = _new_password_fields("new_password", "New password")


def timezone_choices() -> list[SelectChoice]:
    """UTC first, then every place-based zone under its region ("Europe", ...) as an
    <optgroup>, labelled by the rest of its name, so typing "Lon" finds London."""
    choices = [SelectChoice("UTC", "UTC (Coordinated Universal Time)")]
    for name in timezone_names():
        region, _, place = name.partition("/")
        choices.append(SelectChoice(name, place.replace("_", " "), optgroup=region))
    return choices


class TimezoneForm(BaseForm):
    timezone = SelectField(
        "Timezone", description="Times in discussions are shown in this timezone.",
        validators=[DataRequired(message="Choose a timezone.")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class DeleteAccountForm(BaseForm):
    password = PasswordField(
        "Your password", validators=[InputRequired(message="Enter your password to confirm.")]
    )
    understood = BooleanField(
        "I understand this deletes my account and cannot be undone",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )


class SignOutForm(BaseForm):
    """No fields: exists so signing out is a CSRF-protected POST."""


class ForgotPasswordForm(BaseForm):
    email = _email_field("The address you use to sign in.")


class ResetPasswordForm(BaseForm):
    new_password, confirm = _new_password_fields("new_password", "New password")


class SendVerificationForm(BaseForm):
    """No fields: sending another verification email is a CSRF-protected POST."""


FOLLOW_GROUPS = "groups"


class EmailSettingsForm(BaseForm):
    email_notifications = RadioField(
        "Email me about notifications",
        choices=[SelectChoice(FOLLOW_GROUPS, "As each group suggests (most send one email a day)"),
                 *(SelectChoice(value, label) for value, label in EMAIL_CHOICES.items())],
        invalid_choice_message="Choose how often to be emailed.",
        validators=[InputRequired(message="Choose how often to be emailed.")],
        description="Replies to your posts, moderators' decisions about them, new stages "
                    "and reports for moderators. Emails go only to a confirmed address.",
    )
