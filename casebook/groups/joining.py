"""Joining a group: creating it (its first code and first member), join codes
and invite links, what an invitation shows, join requests and adding members.
No request objects here: views, the CLI and tests call the same functions.

Running a group once people are in (settings, roles, removing, leaving,
archiving, deleting) is ``casebook.groups.service``.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.discussion.models import NAMED, PSEUDONYMOUS, Discussion
from casebook.groups.models import (
    ACTIVE,
    CUSTOM,
    FACILITATOR,
    GROUP_KINDS,
    PARTICIPANT,
    PRESETS,
    REMOVED,
    Group,
    JoinRequest,
    Membership,
)
from casebook.groups.service import GroupError, membership_of
from casebook.markdown import render_markdown
from casebook.moderation import service as moderation

# No 0/O, 1/I/L: codes are read aloud in seminar rooms and typed from slides.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 31**10 is about 8.2e14 codes: guessing one within the rate limits is
# hopeless (the arithmetic is in SECURITY.md).
CODE_LENGTH = 10
# Codes issued before codes grew to 10 characters keep working until rotated.
LEGACY_CODE_LENGTH = 8
INVALID_CODE = ("That code doesn't open a group. Check it with your facilitator; "
                "it may have changed or expired.")
ARCHIVED_NO_JOINING = "This group is archived, so nobody can join it."


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _unused_code(session: Session) -> str:
    # A clash is very unlikely; checking costs one query.
    while True:
        code = new_join_code()
        if session.scalar(select(Group.id).where(Group.join_code == code)) is None:
            return code


def display_code(code: str) -> str:
    """"ABCDE-FGHJK": easier to read aloud and copy; the hyphen is optional when typed."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _add_member(session: Session, group: Group, user: User, role: str) -> Membership:
    existing = session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if existing is not None:
        existing.status = ACTIVE
        existing.role = role
        existing.joined_at = utcnow()
        return existing
    # Taking the next number with an UPDATE ... RETURNING-free increment keeps
    # two simultaneous joins from sharing a pseudonym (the unique constraint
    # backs this up).
    session.execute(
        update(Group).where(Group.id == group.id)
        .values(next_pseudonym=Group.next_pseudonym + 1)
    )
    session.refresh(group, ["next_pseudonym"])
    membership = Membership(
        group_id=group.id, user_id=user.id, role=role,
        pseudonym_number=group.next_pseudonym - 1,
    )
    session.add(membership)
    return membership


def create_group(session: Session, creator: User, *, name: str, description: str = "",
                 kind: str = "seminar", requires_approval: bool = False,
                 preset: str = CUSTOM) -> Group:
    """Create a group with a fresh join code; the creator becomes its facilitator.

    A ``preset`` other than CUSTOM sets the kind, pre-moderation and the
    defaults new discussions start with (see ``groups.models.PRESETS``).
    """
    if preset != CUSTOM and preset not in PRESETS:
        raise GroupError("Choose a preset.")
    chosen = PRESETS.get(preset)
    if chosen is not None:
        kind = chosen.kind
    if kind not in GROUP_KINDS:
        raise GroupError("Choose a kind of group.")
    group = Group(
        name=name.strip(), description_md=description,
        description_html=render_markdown(description), kind=kind, join_code=_unused_code(session),
        requires_approval=requires_approval,
        created_by_id=creator.id,
    )
    if chosen is not None:
        group.premoderation = chosen.premoderation
        group.default_identity = chosen.identity
        group.default_release = chosen.release
        group.default_post_first = chosen.post_first
        group.default_post_first_stage = chosen.post_first_stage
        group.default_police_prompts = chosen.police_prompts
    session.add(group)
    session.flush()
    _add_member(session, group, creator, FACILITATOR)
    session.commit()
    return group


def rotate_code(session: Session, group: Group, expires_at: datetime | None = None) -> str:
    """A new code (the old one and its link stop working at once)."""
    group.join_code = _unused_code(session)
    group.join_code_expires_at = expires_at
    session.commit()
    return group.join_code


def disable_code(session: Session, group: Group) -> None:
    group.join_code = None
    group.join_code_expires_at = None
    session.commit()


def set_code_expiry(session: Session, group: Group, expires_at: datetime | None,
                    now: datetime | None = None) -> None:
    """Set or (with None) clear when the code stops working; never in the past."""
    if group.join_code is None:
        raise GroupError("Joining is switched off. Turn it back on before setting an expiry.")
    if expires_at is not None and expires_at <= (now or utcnow()):
        raise GroupError("Choose a time in the future, or leave it empty for no expiry.")
    group.join_code_expires_at = expires_at
    session.commit()


def group_for_code(session: Session, code: str, now: datetime | None = None) -> Group | None:
    """The group a valid, unexpired code opens, or None (one answer for every failure)."""
    code = normalise_code(code)
    if len(code) not in (CODE_LENGTH, LEGACY_CODE_LENGTH):
        return None
    group = session.scalar(select(Group).where(Group.join_code == code))
    if group is None:
        return None
    expires = group.join_code_expires_at
    if expires is not None and (now or utcnow()) >= expires:
        return None
    return group


@dataclass(frozen=True)
class Invitation:
    """What a signed-out visitor holding a valid invite link may learn about the group.

    Only what the join confirmation page would tell them after signing in:
    never who the members are.
    """

    group_name: str
    kind_title: str
    # Facilitators always post under their display name, even in pseudonymous
    # discussions, so naming them here reveals nothing the group would hide.
    facilitators: tuple[str, ...]
    # The discussions' identity modes: "named", "pseudonymous", or both.
    identities: frozenset[str]
    requires_approval: bool

    @property
    def pseudonymous(self) -> bool:
        return PSEUDONYMOUS in self.identities

    @property
    def named(self) -> bool:
        # A group with no discussions yet shows names until one says otherwise.
        return NAMED in self.identities or not self.identities


def invitation(session: Session, code: str) -> Invitation | None:
    """The invitation a join code stands for, or None when the code opens nothing."""
    group = group_for_code(session, code)
    if group is None:
        return None
    facilitators = session.scalars(
        select(User.display_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id, Membership.status == ACTIVE,
               Membership.role == FACILITATOR)
        .order_by(User.display_name)
    )
    identities = session.scalars(
        select(Discussion.identity).where(Discussion.group_id == group.id).distinct()
    )
    return Invitation(
        group_name=group.name, kind_title=group.kind_title,
        facilitators=tuple(facilitators), identities=frozenset(identities),
        requires_approval=group.requires_approval,
    )


@dataclass
class JoinOutcome:
    group: Group
    joined: bool  # False: a request is waiting for approval
    already_member: bool = False


def join(session: Session, group: Group, user: User) -> JoinOutcome:
    """Join by code/link, or file a join request when the group requires approval.

    Raises GroupError for someone a moderator removed: only a facilitator can
    let them back in.
    """
    membership = membership_of(session, group.id, user)
    if membership is not None and membership.is_active:
        return JoinOutcome(group, joined=True, already_member=True)
    if group.archived:
        raise GroupError(ARCHIVED_NO_JOINING)
    if membership is not None and membership.status == REMOVED:
        raise GroupError("You were removed from this group. Ask its facilitator to add you.")
    if group.requires_approval:
        request = session.scalar(
            select(JoinRequest).where(JoinRequest.group_id == group.id,
                                      JoinRequest.user_id == user.id)
        )
        if request is None:
            session.add(JoinRequest(group_id=group.id, user_id=user.id))
        else:
            request.status = "pending"
            request.created_at = utcnow()
            request.decided_at = None
            request.decided_by_id = None
        session.commit()
        return JoinOutcome(group, joined=False)
    _add_member(session, group, user, PARTICIPANT)
    session.commit()
    return JoinOutcome(group, joined=True)


def pending_request_for(session: Session, group: Group, user: User) -> JoinRequest | None:
    return session.scalar(
        select(JoinRequest).where(JoinRequest.group_id == group.id,
                                  JoinRequest.user_id == user.id,
                                  JoinRequest.status == "pending")
    )


def pending_request_count(session: Session, group: Group) -> int:
    return session.scalar(
        select(func.count()).select_from(JoinRequest).where(
            JoinRequest.group_id == group.id, JoinRequest.status == "pending")
    )


def my_pending_requests(session: Session, user: User) -> list[Group]:
    """Groups the user asked to join that have not decided yet, for "My groups"."""
    return list(session.scalars(
        select(Group).join(JoinRequest, JoinRequest.group_id == Group.id)
        .where(JoinRequest.user_id == user.id, JoinRequest.status == "pending")
        .order_by(Group.name)
    ))


def pending_requests(session: Session, group: Group) -> list[JoinRequest]:
    return list(session.scalars(
        select(JoinRequest).where(JoinRequest.group_id == group.id,
                                  JoinRequest.status == "pending")
        .options(selectinload(JoinRequest.user)).order_by(JoinRequest.created_at)
    ))


def decide_request(session: Session, group: Group, request: JoinRequest, decider: User,
                   approve: bool) -> None:
    if request.group_id != group.id or request.status != "pending":
        raise GroupError("That request has already been dealt with.")
    if group.archived:
        raise GroupError(ARCHIVED_NO_JOINING)
    request.status = "approved" if approve else "declined"
    request.decided_at = utcnow()
    request.decided_by_id = decider.id
    if approve:
        user = session.get(User, request.user_id)
        current = membership_of(session, group.id, user)
        # Someone added directly meanwhile keeps the role they were given.
        if current is None or not current.is_active:
            _add_member(session, group, user, PARTICIPANT)
    moderation.log(session, group.id, decider,
                   "approved join request" if approve else "declined join request",
                   target_user_id=request.user_id)
    session.commit()


def add_member(session: Session, group: Group, user: User, role: str = PARTICIPANT) -> Membership:
    """Add (or re-admit) someone directly; used by facilitators and tests."""
    membership = _add_member(session, group, user, role)
    session.commit()
    return membership
