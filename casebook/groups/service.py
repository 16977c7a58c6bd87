"""Groups, membership and joining. No request objects here: views, the CLI
and tests call the same functions."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.discussion.models import (
    IDENTITY_MODES,
    NAMED,
    PSEUDONYMOUS,
    RELEASE_MODES,
    Discussion,
)
from casebook.groups.models import (
    ACTIVE,
    CUSTOM,
    DELETED_MEMBER_POSTS,
    FACILITATOR,
    GROUP_KINDS,
    LEFT,
    PARTICIPANT,
    PREMODERATION,
    PRESETS,
    REMOVED,
    ROLES,
    Group,
    JoinRequest,
    Membership,
)
from casebook.markdown import render_markdown
from casebook.moderation import service as moderation

# No 0/O, 1/I/L: codes are read aloud in seminar rooms and typed from slides.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 31**10 is about 8.2e14 codes: guessing one within the rate limits is
# hopeless (the arithmetic is in SECURITY.md).
CODE_LENGTH = 10
# Codes issued before codes grew to 10 characters keep working until rotated.
LEGACY_CODE_LENGTH = 8
PREMODERATION_MAX_N = 50
INVALID_CODE = ("That code doesn't open a group. Check it with your facilitator; "
                "it may have changed or expired.")


class GroupError(Exception):
    """A rule refused the change; the message is meant for the user."""


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


def update_group(session: Session, group: Group, *, name: str, description: str, kind: str,
                 requires_approval: bool, premoderation: str, premoderation_first_n: int) -> None:
    if kind not in GROUP_KINDS:
        raise GroupError("Choose a kind of group.")
    if premoderation not in PREMODERATION:
        raise GroupError("Choose how posts are pre-moderated.")
    if not 1 <= premoderation_first_n <= PREMODERATION_MAX_N:
        raise GroupError(f"Choose a number from 1 to {PREMODERATION_MAX_N}.")
    group.name = name.strip()
    group.description_md = description
    group.description_html = render_markdown(description)
    group.kind = kind
    group.requires_approval = requires_approval
    group.premoderation = premoderation
    group.premoderation_first_n = premoderation_first_n
    session.commit()


def update_discussion_defaults(session: Session, group: Group, *, identity: str, release: str,
                               post_first: bool, police_prompts: bool,
                               post_first_stage: str | None = None) -> None:
    """What the "Start a discussion" form offers first in this group."""
    if identity not in IDENTITY_MODES or release not in RELEASE_MODES:
        raise GroupError("Choose the defaults for new discussions.")
    group.default_identity = identity
    group.default_release = release
    group.default_post_first = post_first
    group.default_post_first_stage = post_first_stage or None
    group.default_police_prompts = police_prompts
    session.commit()


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


def belongs_to_a_group(session: Session, user: User) -> bool:
    """Whether ``user`` is an active member of any group (where they land after signing in)."""
    return session.scalar(
        select(Membership.id).where(Membership.user_id == user.id, Membership.status == ACTIVE)
        .limit(1)
    ) is not None


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


ARCHIVED_NO_JOINING = "This group is archived, so nobody can join it."


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


def set_role(session: Session, group: Group, target: Membership, role: str,
             actor: User | None = None, reason: str = "") -> bool:
    """Promote or demote; a group always keeps at least one facilitator.

    The change is written to the group's moderation log in the same
    transaction. Answers False when the role was already ``role``.
    """
    if role not in ROLES:
        raise GroupError("Choose facilitator, moderator or participant.")
    if target.group_id != group.id or not target.is_active:
        raise GroupError("That person is not a member of this group.")
    if target.role == role:
        return False
    if (target.role == FACILITATOR and role != FACILITATOR
            and facilitator_count(session, group.id) <= 1):
        raise GroupError("A group needs at least one facilitator. Promote someone else first.")
    old = target.role
    target.role = role
    moderation.log(session, group.id, actor, "changed role", target_user_id=target.user_id,
                   reason=reason, details={"from": old, "to": role})
    session.commit()
    return True


def remove_member(session: Session, target: Membership, actor: User | None = None,
                  reason: str = "") -> None:
    """Take someone out of the group; they lose access at once and can't rejoin by code."""
    if not target.is_active:
        raise GroupError("That person is not a member of this group.")
    if (target.role == FACILITATOR
            and facilitator_count(session, target.group_id) <= 1):
        raise GroupError("A group needs at least one facilitator. Promote someone else first.")
    old = target.role
    target.status = REMOVED
    target.role = PARTICIPANT
    moderation.log(session, target.group_id, actor, "removed member",
                   target_user_id=target.user_id, reason=reason.strip(),
                   details={"role": old})
    session.commit()


def readmit(session: Session, target: Membership, actor: User) -> None:
    """Let a removed person back in, as a participant with their old pseudonym."""
    if target.status != REMOVED:
        raise GroupError("That person was not removed from this group.")
    target.status = ACTIVE
    target.role = PARTICIPANT
    target.joined_at = utcnow()
    moderation.log(session, target.group_id, actor, "re-admitted member",
                   target_user_id=target.user_id)
    session.commit()


def removed_members(session: Session, group: Group) -> list[Membership]:
    return list(session.scalars(
        select(Membership).where(Membership.group_id == group.id, Membership.status == REMOVED)
        .options(selectinload(Membership.user)).order_by(Membership.joined_at)
    ))


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


def discussions_of(session: Session, group_ids) -> list[Discussion]:
    """The discussions of several groups (My groups), oldest first, in one query."""
    return list(session.scalars(
        select(Discussion).where(Discussion.group_id.in_(set(group_ids)))
        .order_by(Discussion.created_at, Discussion.id)
    ))


def group_discussions(session: Session, group: Group) -> list[Discussion]:
    """The group's discussions, oldest first (the views filter what each person sees)."""
    return list(session.scalars(
        select(Discussion).where(Discussion.group_id == group.id)
        .options(selectinload(Discussion.case))
        .order_by(Discussion.created_at, Discussion.id)
    ))


# Privacy: what a deleted member leaves, archiving, deleting ------------------

def set_deleted_member_posts(session: Session, group: Group, actor: User, choice: str) -> None:
    """Applies to accounts deleted from now on; posts already credited to
    "Deleted member" stay as they are."""
    if choice not in DELETED_MEMBER_POSTS:
        raise GroupError("Choose what happens to a deleted member's posts.")
    if choice != group.deleted_member_posts:
        moderation.log(session, group.id, actor, "changed deleted member posts",
                       details={"from": group.deleted_member_posts, "to": choice})
        group.deleted_member_posts = choice
    session.commit()


def set_email_default(session: Session, group: Group, actor: User, choice: str) -> None:
    """How members who chose nothing are emailed about this group's notifications."""
    from casebook.notifications.models import EMAIL_CHOICES

    if choice not in EMAIL_CHOICES:
        raise GroupError("Choose how members are emailed.")
    if choice != group.email_default:
        moderation.log(session, group.id, actor, "changed email default",
                       details={"from": group.email_default, "to": choice})
        group.email_default = choice
    session.commit()


def archive(session: Session, group: Group, actor: User) -> None:
    """Make the group read-only for everyone (see ``policy.is_archived``)."""
    if group.archived:
        raise GroupError("The group is already archived.")
    group.archived_at = utcnow()
    moderation.log(session, group.id, actor, "archived group")
    session.commit()


def unarchive(session: Session, group: Group, actor: User) -> None:
    if not group.archived:
        raise GroupError("The group is not archived.")
    group.archived_at = None
    moderation.log(session, group.id, actor, "unarchived group")
    session.commit()


class WrongGroupName(GroupError):
    pass


def delete_group(session: Session, group: Group, typed_name: str) -> None:
    """Delete the group and everything under it, once ``typed_name`` is its name
    exactly (surrounding spaces aside). Raises WrongGroupName, deleting nothing.

    The database's ON DELETE CASCADE takes discussions, threads, posts and their
    history, reports, read marks, content-note acknowledgements, memberships,
    join requests, watched words, the group's own cases and the moderation log
    in two statements of one transaction, so a failure part-way leaves the
    group whole.
    """
    if typed_name.strip() != group.name:
        raise WrongGroupName("That is not the group's name. Type it exactly as shown, "
                             "capitals included.")
    group_id = group.id
    session.expunge(group)
    # The group's own cases go with it, and a discussion may not outlive its
    # case (RESTRICT), so the discussions go first, in the same transaction.
    session.execute(delete(Discussion).where(Discussion.group_id == group_id))
    session.execute(delete(Group).where(Group.id == group_id))
    session.commit()
