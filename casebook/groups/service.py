"""Running a group: settings and the defaults of new discussions, members and
their roles, removing and leaving, the lists of groups and discussions,
archiving and deleting. No request objects here: views, the CLI and tests call
the same functions.

Creating a group and joining it (codes, invitations, join requests, adding
members) is ``casebook.groups.joining``.
"""

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.discussion.models import IDENTITY_MODES, RELEASE_MODES, Discussion
from casebook.groups.models import (
    ACTIVE,
    DELETED_MEMBER_POSTS,
    FACILITATOR,
    GROUP_KINDS,
    LEFT,
    PARTICIPANT,
    PREMODERATION,
    REMOVED,
    ROLES,
    Group,
    Membership,
)
from casebook.markdown import render_markdown
from casebook.moderation import service as moderation

PREMODERATION_MAX_N = 50


class GroupError(Exception):
    """A rule refused the change; the message is meant for the user."""


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


def membership_of(session: Session, group_id: int, user: User) -> Membership | None:
    if not user.is_authenticated:
        return None
    return session.scalar(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id == user.id)
    )


def belongs_to_a_group(session: Session, user: User) -> bool:
    """Whether ``user`` is an active member of any group (where they land after signing in)."""
    return session.scalar(
        select(Membership.id).where(Membership.user_id == user.id, Membership.status == ACTIVE)
        .limit(1)
    ) is not None


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
