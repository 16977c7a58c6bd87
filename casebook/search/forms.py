from wtforms import SearchField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import Length

from casebook.forms import BaseForm

MAX_QUERY = 200
EVERY_GROUP = SelectChoice("", "All my groups")


class SearchForm(BaseForm):
    """Sent by GET from the header or the search page: a search changes nothing,
    so it has no CSRF token and its address can be bookmarked."""

    class Meta:
        csrf = False

    q = SearchField("Words to find", validators=[
        Length(max=MAX_QUERY, message=f"Search for {MAX_QUERY} characters or fewer.")])
    group = SelectField("Where", choices=[EVERY_GROUP], default="")

    def set_groups(self, memberships) -> None:
        """Offers the member's own groups only; any other value is refused."""
        self.group.choices = [EVERY_GROUP] + [
            SelectChoice(str(m.group_id), m.group.name) for m in memberships]
