"""Build groups, members and discussions through the same services the views use."""

from types import SimpleNamespace

from casebook.accounts import service as accounts
from casebook.cases.service import get_case
from casebook.discussion import service as discussions
from casebook.groups import joining
from casebook.groups import service as groups
from casebook.groups.models import MODERATOR, PARTICIPANT

PASSWORD = "correct horse 1"


def make_user(session, name: str, email: str | None = None, *, admin: bool = False):
    email = email or f"{name.lower().replace(' ', '.')}@example.org"
    return accounts.register(session, email=email, display_name=name, password=PASSWORD,
                             is_admin=admin)


def make_group(session, facilitator, name: str = "Ethics seminar", **kwargs):
    return joining.create_group(session, facilitator, name=name, **kwargs)


def add_member(session, group, user, role: str = PARTICIPANT):
    return joining.add_member(session, group, user, role)


def make_discussion(session, group, facilitator, slug: str = "online-vigilantes", **kwargs):
    """Needs the case library imported (the ``cases`` fixture)."""
    return discussions.create_discussion(session, group, get_case(session, slug), facilitator,
                                         **kwargs)


def post(session, thread, user, body: str, **kwargs):
    membership = groups.membership_of(session, thread.discussion.group_id, user)
    return discussions.submit_post(session, thread, user, membership, body, **kwargs).post


def seminar(session, **discussion_options) -> SimpleNamespace:
    """An open discussion in a group run by Fay (``fac``), with Mo its moderator
    (``mod``) and two participants, Ann and Ben; Oscar (``out``) runs another
    group with its own discussion; Ada (``admin``) is a site administrator.
    ``discussion_options`` set up the first discussion (``slug``, ``release``,
    ``post_first``...). Needs the case library imported (the ``cases`` fixture)."""
    fac = make_user(session, "Fay Facilitator")
    mod = make_user(session, "Mo Moderator")
    ann = make_user(session, "Ann Example")
    ben = make_user(session, "Ben Other")
    out = make_user(session, "Oscar Outsider")
    admin = make_user(session, "Ada Admin", admin=True)
    group = make_group(session, fac)
    add_member(session, group, mod, MODERATOR)
    add_member(session, group, ann)
    add_member(session, group, ben)
    discussion = make_discussion(session, group, fac, **discussion_options)
    other_group = make_group(session, out, name="Other seminar")
    other_discussion = make_discussion(session, other_group, out)
    return SimpleNamespace(
        fac=fac, mod=mod, ann=ann, ben=ben, out=out, admin=admin, group=group, gid=group.id,
        discussion=discussion, thread=discussion.threads[0], other_group=other_group,
        other_discussion=other_discussion, other_thread=other_discussion.threads[0],
    )
