"""Notifications made by the write paths, read on the notifications page and badge.

Callers may rely on: every function that makes notifications adds them to the
caller's transaction (the caller commits) and never notifies anyone about
something ``policy`` would not show them, nor the person who acted; texts name
people as the recipient would see them (pseudonyms in pseudonymous
discussions). ``notify_due`` is idempotent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from flask import current_app
from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.orm import Session, selectinload

from casebook import policy
from casebook.accounts.models import User
from casebook.cases.models import STAGE_TITLES
from casebook.db import utcnow
from casebook.discussion.models import PUBLISHED, Discussion, Post, Thread
from casebook.groups.models import ACTIVE, FACILITATOR, MODERATOR, Group, Membership
from casebook.mail import tokens
from casebook.mail.service import absolute_url, queue
from casebook.notifications.models import (
    CLOSING_SOON,
    DAILY,
    IMMEDIATELY,
    OFF,
    OPENING_SOON,
    POST_APPROVED,
    POST_HIDDEN,
    POST_REJECTED,
    POST_RESTORED,
    REPLY,
    REPORT,
    STAGE_OPENED,
    Notification,
)
from casebook.timefmt import formatter_for

PAGE_SIZE = 50
# How far ahead ``notify-due`` warns that a discussion opens or closes.
DUE_WINDOW = timedelta(hours=24)
_TEXT_LENGTH = 500
UNSUBSCRIBE_MAX_AGE = 60 * 24 * 60 * 60
_UNSUBSCRIBE = "unsubscribe"


def unread_count_of(user_id: ColumnElement) -> ColumnElement:
    """The unread count as a scalar subquery, so the badge rides on the query that
    loads the signed-in user instead of adding one to every page."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .scalar_subquery())


def _add(session: Session, recipient: User, kind: str, text: str, *,
         thread: Thread | None = None, post: Post | None = None,
         discussion: Discussion | None = None) -> None:
    discussion = discussion or (thread.discussion if thread is not None else None)
    notification = Notification(
        user_id=recipient.id, kind=kind, text=text[:_TEXT_LENGTH],
        group_id=discussion.group_id if discussion is not None else None,
        discussion_id=discussion.id if discussion is not None else None,
        thread_id=thread.id if thread is not None else None,
        post_id=post.id if post is not None else None,
    )
    session.add(notification)
    group = session.get(Group, notification.group_id) if notification.group_id else None
    if email_setting(recipient, group) == IMMEDIATELY and recipient.email_verified_at:
        notification.emailed_at = utcnow()
        _email(session, recipient, [notification], "notification.txt",
               f"New notification from {current_app.config['SITE_NAME']}")


def email_setting(user: User, group: Group | None) -> str:
    """How ``user`` is emailed about a notification from ``group``: their own
    choice, else the group's default."""
    return user.email_notifications or (group.email_default if group else IMMEDIATELY)


def target(notification: Notification) -> tuple[str, dict]:
    """Where a notification leads, as an endpoint and its URL values."""
    group_id = notification.group_id
    if notification.kind == REPORT and group_id is not None:
        return "moderation.queue", {"group_id": group_id}
    if notification.post_id is not None:
        return "discussion.permalink", {"group_id": group_id, "post_id": notification.post_id}
    if notification.thread_id is not None:
        return "discussion.thread", {"group_id": group_id, "thread_id": notification.thread_id}
    if notification.discussion_id is not None:
        return "discussion.view", {"group_id": group_id,
                                   "discussion_id": notification.discussion_id}
    return "notifications.index", {}


def unsubscribe_token(user: User) -> str:
    return tokens.make(_UNSUBSCRIBE, {"u": user.id, "e": user.email_key})


def user_for_unsubscribe(session: Session, token: str) -> User | None:
    """The account an unsubscribe link was sent to, or None when it is forged,
    expired or for an address the account no longer has."""
    payload = tokens.read(_UNSUBSCRIBE, token, UNSUBSCRIBE_MAX_AGE)
    if payload is None or not isinstance(payload.get("u"), int):
        return None
    user = session.get(User, payload["u"])
    if user is None or payload.get("e") != user.email_key:
        return None
    return user


def set_email_setting(session: Session, user: User, choice: str | None) -> None:
    """``choice`` is one of EMAIL_CHOICES, or None to follow each group's default; commits."""
    user.email_notifications = choice or None
    session.commit()


def unsubscribe(session: Session, user: User) -> None:
    set_email_setting(session, user, OFF)


def _email(session: Session, user: User, items: list[Notification], template: str,
           subject: str) -> None:
    unsubscribe_link = absolute_url("notifications.unsubscribe", token=unsubscribe_token(user))
    entries = []
    for notification in items:
        endpoint, values = target(notification)
        entries.append((notification.text, absolute_url(endpoint, **values)))
    queue(session, user.email, subject, template,
          headers={"List-Unsubscribe": f"<{unsubscribe_link}>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
          user=user, entries=entries, site=current_app.config["SITE_NAME"],
          unsubscribe_link=unsubscribe_link,
          settings_link=absolute_url("accounts.account"),
          page_link=absolute_url("notifications.index"))


def send_digests(session: Session, now: datetime | None = None) -> int:
    """One email per member on a daily digest with unread notifications from the
    last day not emailed yet; commits. Running it again sends nothing new. The
    number of emails."""
    now = now or utcnow()
    rows = session.execute(
        select(Notification, User, Group)
        .join(User, Notification.user_id == User.id)
        .outerjoin(Group, Notification.group_id == Group.id)
        .where(Notification.emailed_at.is_(None), Notification.read_at.is_(None),
               Notification.created_at > now - timedelta(days=1),
               Notification.created_at <= now, User.email_verified_at.is_not(None))
        .order_by(User.id, Notification.created_at, Notification.id))
    sent = 0
    site = current_app.config["SITE_NAME"]
    for _, user_rows in groupby(rows, key=lambda row: row[1].id):
        user_rows = list(user_rows)
        user = user_rows[0][1]
        due = [n for n, _, group in user_rows if email_setting(user, group) == DAILY]
        if not due:
            continue
        for notification in due:
            notification.emailed_at = now
        _email(session, user, due, "digest.txt", f"Your {site} notifications")
        sent += 1
    session.commit()
    return sent


def _membership(session: Session, group_id: int, user_id: int) -> Membership | None:
    return session.scalar(select(Membership).where(
        Membership.group_id == group_id, Membership.user_id == user_id))


def _answered(session: Session, thread: Thread, user_id: int) -> bool:
    return bool(session.scalar(select(exists().where(
        Post.thread_id == thread.id, Post.author_id == user_id, Post.status == PUBLISHED))))


def _sees(session: Session, user: User, membership: Membership | None, post: Post) -> bool:
    sees_peers = policy.may_see_peer_posts(user, membership, post.thread,
                                           _answered(session, post.thread, user.id))
    return policy.may_see_post(user, membership, post, sees_peers=sees_peers)


def _where(thread: Thread) -> str:
    return f"“{thread.title}” ({thread.discussion.title})"


def post_published(session: Session, post: Post) -> None:
    """A reply is now visible: tell the author of the post it answers, if they may see it."""
    parent = post.reply_to
    if parent is None or parent.author_id is None or parent.author_id == post.author_id:
        return
    from casebook.discussion.thread_reading import author_label

    discussion = post.thread.discussion
    recipient = session.get(User, parent.author_id)
    membership = _membership(session, discussion.group_id, recipient.id)
    if not _sees(session, recipient, membership, post):
        return
    author_membership = (_membership(session, discussion.group_id, post.author_id)
                         if post.author_id is not None else None)
    label = author_label(post.author, author_membership, discussion,
                         real_names=policy.may_see_real_names(recipient, membership, discussion),
                         role=post.author_role)
    _add(session, recipient, REPLY, f"{label} replied to your post in {_where(post.thread)}.",
         thread=post.thread, post=post)


_DECISIONS = {
    POST_HIDDEN: "A moderator hid your post in {where}. Reason: {reason}",
    POST_REJECTED: "A moderator did not approve your post in {where}. Reason: {reason}",
    POST_APPROVED: "A moderator approved your post in {where}; the group can now see it.",
    POST_RESTORED: "A moderator put your post in {where} back in the thread.",
}


def moderated(session: Session, post: Post, kind: str, actor: User, reason: str = "") -> None:
    """Tell a post's author what a moderator decided about it, with the reason."""
    if post.author_id is None or post.author_id == actor.id:
        return
    recipient = session.get(User, post.author_id)
    membership = _membership(session, post.thread.discussion.group_id, recipient.id)
    if not policy.may_view_thread(recipient, membership, post.thread):
        return
    text = _DECISIONS[kind].format(where=_where(post.thread), reason=reason)
    _add(session, recipient, kind, text, thread=post.thread, post=post)


def _members(session: Session, group_id: int, roles: tuple[str, ...] | None = None):
    query = (select(Membership).where(Membership.group_id == group_id,
                                      Membership.status == ACTIVE)
             .options(selectinload(Membership.user)))
    if roles:
        query = query.where(Membership.role.in_(roles))
    return session.scalars(query)


def stage_opened(session: Session, discussion: Discussion, stage: str, actor: User) -> None:
    """Tell every member who may now read the stage's prompts that it opened."""
    title = STAGE_TITLES.get(stage, stage)
    now = utcnow()
    for membership in _members(session, discussion.group_id):
        user = membership.user
        if user.id == actor.id or not policy.may_view_discussion(user, membership, discussion,
                                                                  now):
            continue
        _add(session, user, STAGE_OPENED,
             f"The stage “{title}” is open in {discussion.title}.", discussion=discussion)


def reported(session: Session, post: Post, reporter: User) -> None:
    """Tell the group's moderators and facilitators that a post was reported."""
    discussion = post.thread.discussion
    for membership in _members(session, discussion.group_id, (MODERATOR, FACILITATOR)):
        if membership.user_id == reporter.id:
            continue
        _add(session, membership.user, REPORT,
             f"A post in {_where(post.thread)} was reported; it is in the moderation queue.",
             thread=post.thread, post=post)


def notify_due(session: Session, now: datetime | None = None) -> int:
    """Warn members of discussions opening or closing within DUE_WINDOW; commits.
    Each discussion gets each warning once, however often this runs. The count made."""
    now = now or utcnow()
    made = 0
    for kind, column, verb in ((OPENING_SOON, Discussion.opens_at, "opens"),
                               (CLOSING_SOON, Discussion.closes_at, "closes")):
        already = exists().where(Notification.discussion_id == Discussion.id,
                                 Notification.kind == kind)
        due = session.scalars(select(Discussion).where(
            column > now, column <= now + DUE_WINDOW, ~already))
        for discussion in due:
            when = getattr(discussion, column.key)
            for membership in _members(session, discussion.group_id):
                user = membership.user
                # Before it opens, only the people preparing a discussion may see
                # it, so only they hear that it is about to open.
                if not policy.may_view_discussion(user, membership, discussion, now):
                    continue
                _add(session, user, kind,
                     f"{discussion.title} {verb} on {formatter_for(user)(when)[1]}.",
                     discussion=discussion)
                made += 1
    session.commit()
    return made


@dataclass
class Page:
    notifications: list[Notification]
    unread: int


def page(session: Session, user: User) -> Page:
    """The member's latest notifications, newest first, and how many are unread."""
    items = list(session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(PAGE_SIZE)))
    return Page(items, session.scalar(select(unread_count_of(user.id))))


def get(session: Session, user: User, notification_id: int) -> Notification | None:
    """The member's own notification, or None (someone else's is not found)."""
    return session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user.id))


def mark_read(session: Session, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
    session.commit()


def mark_all_read(session: Session, user: User) -> int:
    result = session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount
