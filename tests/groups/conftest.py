"""A seminar group with a facilitator, a moderator and a participant, plus an
outsider and a site administrator; and small helpers to act as each of them.

Setup and checks open their own plain session (``db`` in tests/conftest.py),
so no test holds an app context while the test client makes requests.
"""

import re
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from casebook.groups.models import MODERATOR, Group, JoinRequest, Membership
from casebook.moderation.models import ModerationAction
from tests.conftest import db, signed_in
from tests.factories import add_member, make_group, make_user

INVALID_CODE = ("That code doesn't open a group. Check it with your facilitator; "
                "it may have changed or expired.")


def text(response) -> str:
    """The page's text with tags dropped and whitespace collapsed, as a reader sees it."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def membership(app, group_id: int, user_id: int) -> Membership | None:
    with db(app) as session:
        return session.scalar(select(Membership).where(
            Membership.group_id == group_id, Membership.user_id == user_id))


def group_row(app, group_id: int) -> Group:
    with db(app) as session:
        return session.get(Group, group_id)


def join_requests(app, group_id: int) -> list[JoinRequest]:
    with db(app) as session:
        return list(session.scalars(select(JoinRequest).where(JoinRequest.group_id == group_id)))


def log_entries(app, group_id: int) -> list[ModerationAction]:
    with db(app) as session:
        return list(session.scalars(select(ModerationAction).where(
            ModerationAction.group_id == group_id).order_by(ModerationAction.id)))


@pytest.fixture
def world(app):
    """Ethics seminar: Fay (facilitator, Participant 1), Mo (moderator, 2), Pat (3).

    Olu belongs to another group (History reading group, run by Hal); Ada is a
    site administrator in neither.
    """
    with db(app) as session:
        fay = make_user(session, "Fay Facilitator")
        mo = make_user(session, "Mo Moderator")
        pat = make_user(session, "Pat Participant")
        olu = make_user(session, "Olu Outsider")
        hal = make_user(session, "Hal Other")
        ada = make_user(session, "Ada Admin", admin=True)
        group = make_group(session, fay, "Ethics seminar")
        mo_m = add_member(session, group, mo, MODERATOR)
        pat_m = add_member(session, group, pat)
        other = make_group(session, hal, "History reading group", kind="reading")
        olu_m = add_member(session, other, olu)
        fay_m = session.scalar(select(Membership).where(Membership.user_id == fay.id))
        return SimpleNamespace(
            group=group.id, code=group.join_code, other=other.id, other_code=other.join_code,
            fay=fay.id, mo=mo.id, pat=pat.id, olu=olu.id, hal=hal.id, ada=ada.id,
            fay_m=fay_m.id, mo_m=mo_m.id, pat_m=pat_m.id, olu_m=olu_m.id,
            users={"fay": fay, "mo": mo, "pat": pat, "olu": olu, "hal": hal, "ada": ada},
        )


@pytest.fixture
def as_(app, world):
    """``as_("fay")`` -> a new client signed in as Fay; ``as_(None)`` -> signed out."""
    def _client(name: str | None):
        return signed_in(app, world.users[name] if name else None)
    return _client


@pytest.fixture
def newcomer(app):
    """Someone with an account who belongs to no group yet."""
    with db(app) as session:
        return make_user(session, "Nia Newcomer")
