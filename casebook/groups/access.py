"""Loading a group for a request, with the privacy rule applied once."""

from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import and_, bindparam, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from casebook import policy
from casebook.db import get_session
from casebook.groups.joining import Invitation, invitation
from casebook.groups.models import Group, Membership
from casebook.security import safe_next

# The route an invite link opens; ``next`` pointing there gets an invitation box.
JOIN_LINK_ENDPOINT = "groups.join_link"


# Built once: building the statement costs more than running it.
_GROUP_AND_MEMBERSHIP = (
    select(Group, Membership).where(Group.id == bindparam("group_id"))
    .outerjoin(Membership, and_(Membership.group_id == Group.id,
                                Membership.user_id == bindparam("user_id")))
)


def load_group(group_id: int) -> tuple[Group, Membership | None]:
    """The group and the viewer's membership; 404 for anyone who may not see it.

    Missing and forbidden look the same, so a guessed id reveals nothing.
    """
    session = get_session()
    if current_user.is_authenticated:
        # One query for both: every group page asks.
        row = session.execute(_GROUP_AND_MEMBERSHIP,
                              {"group_id": group_id, "user_id": current_user.id}).first()
        group, membership = row if row is not None else (None, None)
    else:
        group, membership = session.get(Group, group_id), None
    if group is None:
        abort(404)
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


def invite_code_in_next(target: str | None) -> str | None:
    """The join code when ``next`` is an invite link on this site, else None.

    Only a plain path that the app's own router resolves to the invite link
    counts, so a look-alike or off-site URL never does.
    """
    path = urlsplit(safe_next(target) or "").path
    root = request.script_root
    if not path or (root and not path.startswith(root + "/")):
        return None
    adapter = current_app.create_url_adapter(request)
    try:
        endpoint, args = adapter.match(path[len(root):], method="GET")
    except (HTTPException, RoutingException):
        return None
    return args["code"] if endpoint == JOIN_LINK_ENDPOINT else None


def invitation_in_next(target: str | None) -> Invitation | None:
    """The invitation a sign-in or register page's ``next`` carries; None for
    anything else, including a code that opens no group (no box at all)."""
    code = invite_code_in_next(target)
    return invitation(get_session(), code) if code is not None else None
