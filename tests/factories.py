"""Build groups, members and discussions through the same services the views use."""

from casebook.accounts import service as accounts
from casebook.cases.service import get_case
from casebook.discussion import service as discussions
from casebook.groups import service as groups
from casebook.groups.models import PARTICIPANT

PASSWORD = "correct horse 1"


def make_user(session, name: str, email: str | None = None, *, admin: bool = False):
    email = email or f"{name.lower().replace(' ', '.')}@example.org"
    return accounts.register(session, email=email, display_name=name, password=PASSWORD,
                             is_admin=admin)


def make_group(session, facilitator, name: str = "Ethics seminar", **kwargs):
    return groups.create_group(session, facilitator, name=name, **kwargs)


def add_member(session, group, user, role: str = PARTICIPANT):
    return groups.add_member(session, group, user, role)


def make_discussion(session, group, facilitator, slug: str = "online-vigilantes", **kwargs):
    """Needs the case library imported (the ``cases`` fixture)."""
    return discussions.create_discussion(session, group, get_case(session, slug), facilitator,
                                         **kwargs)


def post(session, thread, user, body: str, **kwargs):
    membership = groups.membership_of(session, thread.discussion.group_id, user)
    return discussions.submit_post(session, thread, user, membership, body, **kwargs).post
