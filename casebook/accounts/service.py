"""Account rules shared by the views, the CLI and the tests."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from casebook.accounts.models import User
from casebook.discussion.models import REMOVED, Discussion, Post, PostRevision, Thread
from casebook.groups.models import ACTIVE, FACILITATOR, REMOVE_POSTS, Group, Membership
from casebook.mail.models import OutboxMessage
from casebook.moderation.models import Report

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()  # argon2id with the library's current defaults
# Verified against when no account matches, so a sign-in for an unknown email
# costs the same time as one for a known email.
_DUMMY_HASH = _hasher.hash("casebook-no-such-account")


def set_hash_cost(*, time_cost: int, memory_cost: int) -> None:
    """Change the argon2id cost for new hashes (the test suite lowers it for speed).

    Existing hashes keep verifying: each carries its own parameters.
    """
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
    _DUMMY_HASH = _hasher.hash("casebook-no-such-account")


class EmailTaken(Exception):
    pass


class WrongPassword(Exception):
    pass


def email_key(email: str) -> str:
    return email.strip().casefold()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email_key == email_key(email)))


def register(session: Session, *, email: str, display_name: str, password: str,
             is_admin: bool = False) -> User:
    """Create and commit an account. Raises EmailTaken for a case-insensitive clash."""
    if find_by_email(session, email) is not None:
        raise EmailTaken(email)
    user = User(
        email=email.strip(),
        email_key=email_key(email),
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        is_admin=is_admin,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent registration won the race
        session.rollback()
        raise EmailTaken(email) from exc
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The account for these credentials, or None; never says which part was wrong."""
    user = find_by_email(session, email)
    if user is None:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not _verify(user.password_hash, current):
        raise WrongPassword()
    user.password_hash = hash_password(new)
    user.session_version += 1
    session.commit()


def set_display_name(session: Session, user: User, name: str) -> None:
    """Rename the account; pseudonyms belong to memberships and do not change."""
    user.display_name = name.strip()
    session.commit()


def set_timezone(session: Session, user: User, name: str) -> None:
    user.timezone = name
    session.commit()


class StillNeeded(Exception):
    """The account is the only facilitator of groups that still have members."""

    def __init__(self, group_names: list[str]):
        self.group_names = group_names
        super().__init__(", ".join(group_names))


def groups_left_without_facilitator(session: Session, user: User) -> list[str]:
    """Names of groups whose only facilitator is ``user`` and that have other members."""
    mine = select(Membership.group_id).where(
        Membership.user_id == user.id, Membership.status == ACTIVE,
        Membership.role == FACILITATOR,
    )
    others = aliased(Membership)
    other_facilitator = exists().where(
        others.group_id == Group.id, others.user_id != user.id, others.status == ACTIVE,
        others.role == FACILITATOR,
    )
    other_member = exists().where(
        others.group_id == Group.id, others.user_id != user.id, others.status == ACTIVE,
    )
    return list(session.scalars(
        select(Group.name).where(Group.id.in_(mine), ~other_facilitator, other_member)
        .order_by(Group.name)
    ))


def delete_account(session: Session, user: User, password: str) -> None:
    """Delete the account and erase what identifies its owner.

    Raises WrongPassword, or StillNeeded when a group would be left with
    members but nobody to run it. See ``erase_account`` for what goes.
    """
    if not _verify(user.password_hash, password):
        raise WrongPassword()
    orphaned = groups_left_without_facilitator(session, user)
    if orphaned:
        raise StillNeeded(orphaned)
    erase_account(session, user)


def erase_account(session: Session, user: User) -> None:
    """Remove the account row and, with it, every record naming its owner; commits.

    In groups set to remove a deleted member's posts, their text and edit
    history are erased and the thread keeps a "Post removed" placeholder (so
    post numbers and permalinks stay put); reports about those posts go too.
    Elsewhere the posts stay, credited to "Deleted member". The database then
    drops memberships, join requests, read marks, content-note
    acknowledgements and notifications (ON DELETE CASCADE); the outbox's mail
    to the account's address goes too. It clears the author, reporter and
    moderation-log actor and target columns (ON DELETE SET NULL), so the log
    keeps each action without saying whose it was. A group left with no active
    member is deleted with everything in it: nobody could read or run it again.
    """
    removing = (
        select(Post.id).join(Thread, Post.thread_id == Thread.id)
        .join(Discussion, Thread.discussion_id == Discussion.id)
        .join(Group, Discussion.group_id == Group.id)
        .where(Post.author_id == user.id, Group.deleted_member_posts == REMOVE_POSTS)
    )
    post_ids = list(session.scalars(removing))
    if post_ids:
        session.execute(delete(PostRevision).where(PostRevision.post_id.in_(post_ids)))
        session.execute(delete(Report).where(Report.post_id.in_(post_ids)))
        session.execute(
            update(Post).where(Post.id.in_(post_ids)).values(
                status=REMOVED, body_md="", body_html="", search_text="", word_count=0,
                moderation_reason=None, flagged=False, submission_key=None,
            ).execution_options(synchronize_session=False)
        )
    others = aliased(Membership)
    abandoned = select(Membership.group_id).where(
        Membership.user_id == user.id, Membership.status == ACTIVE,
        ~exists().where(others.group_id == Membership.group_id, others.user_id != user.id,
                        others.status == ACTIVE),
    )
    session.execute(delete(Group).where(Group.id.in_(abandoned))
                    .execution_options(synchronize_session=False))
    # Mail to the address, sent or not, names its owner.
    session.execute(delete(OutboxMessage).where(OutboxMessage.to_address == user.email))
    session.delete(user)
    session.commit()


def create_admin(session: Session, *, email: str, display_name: str, password: str) -> User:
    """Make a site administrator: a new account, or promote an existing one."""
    user = find_by_email(session, email)
    if user is None:
        return register(session, email=email, display_name=display_name,
                        password=password, is_admin=True)
    user.is_admin = True
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.commit()
    return user
