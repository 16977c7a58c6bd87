"""Groups, membership and joining. No request objects here: views, the CLI
and tests call the same functions."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.groups.models import (
    ACTIVE,
    FACILITATOR,
    GROUP_KINDS,
    LEFT,
    PARTICIPANT,
    REMOVED,
    ROLES,
    Group,
    JoinRequest,
    Membership,
)
from casebook.markdown import render_markdown

# No 0/O, 1/I/L: codes are read aloud in seminar rooms and typed from slides.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class GroupError(Exception):
    """A rule refused the change; the message is meant for the user."""


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def membership_of(session: Session, group_id: int, user: User) -> Membership | None:
    if not user.is_authenticated:
        return None
    return session.scalar(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id == user.id)
    )


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
                 kind: str = "seminar", requires_approval: bool = False) -> Group:
    """Create a group with a fresh join code; the creator becomes its facilitator."""
    if kind not in GROUP_KINDS:
        raise GroupError("Choose a kind of group.")
    group = Group(
        name=name.strip(), description_md=description,
        description_html=render_markdown(description), kind=kind, join_code=new_join_code(),
        requires_approval=requires_approval,
        created_by_id=creator.id,
    )
    session.add(group)
    session.flush()
    _add_member(session, group, creator, FACILITATOR)
    session.commit()
    return group


def update_group(session: Session, group: Group, *, name: str, description: str, kind: str,
                 requires_approval: bool, premoderation: str, premoderation_first_n: int) -> None:
    group.name = name.strip()
    group.description_md = description
    group.description_html = render_markdown(description)
    group.kind = kind
    group.requires_approval = requires_approval
    group.premoderation = premoderation
    group.premoderation_first_n = premoderation_first_n
    session.commit()


def rotate_code(session: Session, group: Group, expires_at: datetime | None = None) -> str:
    """A new code (the old one and its link stop working at once)."""
    group.join_code = new_join_code()
    group.join_code_expires_at = expires_at
    session.commit()
    return group.join_code


def disable_code(session: Session, group: Group) -> None:
    group.join_code = None
    group.join_code_expires_at = None
    session.commit()


def set_code_expiry(session: Session, group: Group, expires_at: datetime | None) -> None:
    group.join_code_expires_at = expires_at
    session.commit()


def group_for_code(session: Session, code: str, now: datetime | None = None) -> Group | None:
    """The group a valid, unexpired code opens, or None (one answer for every failure)."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    group = session.scalar(select(Group).where(Group.join_code == code))
    if group is None:
        return None
    expires = group.join_code_expires_at
    if expires is not None and (now or utcnow()) >= expires:
        return None
    return group


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
    request.status = "approved" if approve else "declined"
    request.decided_at = utcnow()
    request.decided_by_id = decider.id
    if approve:
        user = session.get(User, request.user_id)
        _add_member(session, group, user, PARTICIPANT)
    session.commit()


def add_member(session: Session, group: Group, user: User, role: str = PARTICIPANT) -> Membership:
    """Add (or re-admit) someone directly; used by facilitators and tests."""
    membership = _add_member(session, group, user, role)
    session.commit()
    return membership


def active_members(session: Session, group: Group) -> list[Membership]:
    return list(session.scalars(
        select(Membership).where(Membership.group_id == group.id, Membership.status == ACTIVE)
        .options(selectinload(Membership.user)).order_by(Membership.role, Membership.joined_at)
    ))


def facilitator_count(session: Session, group_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.group_id == group_id, Membership.status == ACTIVE,
            Membership.role == FACILITATOR,
        )
    )


def set_role(session: Session, group: Group, target: Membership, role: str) -> None:
    """Promote or demote; a group always keeps at least one facilitator."""
    if role not in ROLES:
        raise GroupError("Choose facilitator, moderator or participant.")
    if (target.role == FACILITATOR and role != FACILITATOR
            and facilitator_count(session, group.id) <= 1):
        raise GroupError("A group needs at least one facilitator. Promote someone else first.")
    target.role = role
    session.commit()


def remove_member(session: Session, target: Membership) -> None:
    target.status = REMOVED
    target.role = PARTICIPANT
    session.commit()


def leave(session: Session, membership: Membership) -> None:
    if (membership.role == FACILITATOR
            and facilitator_count(session, membership.group_id) <= 1):
        raise GroupError("You are the only facilitator. Make someone else a facilitator "
                         "before you leave.")
    membership.status = LEFT
    membership.role = PARTICIPANT
    session.commit()


def my_groups(session: Session, user: User) -> list[Membership]:
    return list(session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.status == ACTIVE)
        .options(selectinload(Membership.group)).join(Group).order_by(Group.name)
    ))

