"""Loading a group for a request, with the privacy rule applied once."""

from flask import abort
from flask_login import current_user

from casebook import policy
from casebook.db import get_session
from casebook.groups.models import Group, Membership
from casebook.groups.service import membership_of


def load_group(group_id: int) -> tuple[Group, Membership | None]:
    """The group and the viewer's membership; 404 for anyone who may not see it.

    Missing and forbidden look the same, so a guessed id reveals nothing.
    """
    session = get_session()
    group = session.get(Group, group_id)
    if group is None:
        abort(404)
    membership = membership_of(session, group.id, current_user)
    if not policy.may_view_group(current_user, membership):
        abort(404)
    return group, membership


def require(allowed: bool) -> None:
    """403 for a member (or admin) who can see the page but may not do this."""
    if not allowed:
        abort(403)


def active_member_or_404(group: Group, member_id: int) -> Membership:
    """An active membership of ``group`` by its id; 404 for any other id."""
    target = get_session().get(Membership, member_id)
    if target is None or target.group_id != group.id or not target.is_active:
        abort(404)
    return target
