from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from casebook.debrief.models import MAX_SUMMARY_LENGTH
from casebook.discussion.forms import MARKDOWN_HINT
from casebook.forms import BaseForm


class DebriefForm(BaseForm):
    summary = TextAreaField(
        "Closing summary",
        validators=[Length(max=MAX_SUMMARY_LENGTH,
                           message=f"Keep it to {MAX_SUMMARY_LENGTH:,} characters or fewer.")],
        description=("Optional. What the group worked out, what stayed open, what to read "
                     "next. " + MARKDOWN_HINT),
    )
    shared = BooleanField(
        "Share the debrief with the whole group",
        description=("Every member can then open it: the key contributions (even answers "
                     "to post-first prompts they did not answer themselves) and the poll "
                     "counts. Individual members' figures are never shown."),
    )
