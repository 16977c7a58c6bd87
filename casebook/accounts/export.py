"""Everything Casebook stores about one person, as one JSON document (their right of access)."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from casebook.accounts.models import User
from casebook.cases.models import Position
from casebook.db import utcnow
from casebook.discussion.models import (
    ContentNoteAck,
    Discussion,
    Post,
    PostRevision,
    Thread,
    ThreadRead,
)
from casebook.groups.models import Group, JoinRequest, Membership
from casebook.moderation.models import ModerationAction, Report
from casebook.polls.models import SCALE, PollAnswer

FORMAT_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _place(thread: Thread) -> dict[str, Any]:
    """Where a post or mark sits: group, discussion, thread and the prompt it answers."""
    discussion = thread.discussion
    prompt = thread.prompt
    return {
        "group": discussion.group.name,
        "discussion": discussion.title,
        "thread": thread.title,
        "prompt": None if prompt is None else {
            "stage": prompt.stage, "lens": prompt.lens, "text": prompt.text_md,
        },
    }


def personal_data(session: Session, user: User) -> dict[str, Any]:
    """The user's own records only: what they wrote or chose, and what was decided
    about them. Other people appear as their role, never by name."""
    thread_loads = (selectinload(Thread.discussion).selectinload(Discussion.group),
                    selectinload(Thread.prompt))
    memberships = session.scalars(
        select(Membership).where(Membership.user_id == user.id)
        .options(selectinload(Membership.group)).order_by(Membership.joined_at, Membership.id)
    )
    requests = session.execute(
        select(JoinRequest, Group.name).join(Group, JoinRequest.group_id == Group.id)
        .where(JoinRequest.user_id == user.id).order_by(JoinRequest.created_at)
    )
    posts = list(session.scalars(
        select(Post).where(Post.author_id == user.id)
        .options(selectinload(Post.thread).options(*thread_loads))
        .order_by(Post.created_at, Post.id)
    ))
    revisions: dict[int, list[PostRevision]] = {}
    for revision in session.scalars(
        select(PostRevision).where(PostRevision.post_id.in_([p.id for p in posts]))
        .order_by(PostRevision.replaced_at, PostRevision.id)
    ):
        revisions.setdefault(revision.post_id, []).append(revision)
    reports = session.scalars(
        select(Report).where(Report.reporter_id == user.id)
        .options(selectinload(Report.post).selectinload(Post.thread).options(*thread_loads))
        .order_by(Report.created_at, Report.id)
    )
    decisions = session.execute(
        select(ModerationAction, Group.name)
        .join(Group, ModerationAction.group_id == Group.id)
        .where(ModerationAction.target_user_id == user.id)
        .order_by(ModerationAction.created_at, ModerationAction.id)
    )
    acks = session.execute(
        select(ContentNoteAck, Discussion.title, Group.name)
        .join(Discussion, ContentNoteAck.discussion_id == Discussion.id)
        .join(Group, Discussion.group_id == Group.id)
        .where(ContentNoteAck.user_id == user.id).order_by(ContentNoteAck.acknowledged_at)
    )
    reads = session.scalars(
        select(ThreadRead).where(ThreadRead.user_id == user.id)
        .order_by(ThreadRead.read_at)
    )
    read_threads = {t.id: t for t in session.scalars(
        select(Thread).where(Thread.id.in_(
            select(ThreadRead.thread_id).where(ThreadRead.user_id == user.id)))
        .options(*thread_loads)
    )}
    poll_answers = session.execute(
        select(PollAnswer, Position.text, Discussion.title, Group.name)
        .join(Position, PollAnswer.position_id == Position.id)
        .join(Discussion, PollAnswer.discussion_id == Discussion.id)
        .join(Group, Discussion.group_id == Group.id)
        .where(PollAnswer.user_id == user.id)
        .order_by(PollAnswer.created_at, PollAnswer.id)
    )
    return {
        "format": "casebook-personal-data", "version": FORMAT_VERSION,
        "exported_at": _time(utcnow()),
        "account": {
            "email": user.email, "display_name": user.display_name,
            "timezone": user.timezone, "site_administrator": user.is_admin,
            "created_at": _time(user.created_at),
            "email_confirmed_at": _time(user.email_verified_at),
            # None: each group's default.
            "notification_email": user.email_notifications,
        },
        "memberships": [{
            "group": m.group.name, "kind": m.group.kind_title, "role": m.role,
            "status": m.status, "pseudonym": m.pseudonym, "joined_at": _time(m.joined_at),
            "muted_until": _time(m.muted_until),
        } for m in memberships],
        "join_requests": [{
            "group": name, "status": r.status, "created_at": _time(r.created_at),
            "decided_at": _time(r.decided_at),
        } for r, name in requests],
        "posts": [{
            "id": p.id, **_place(p.thread), "number": p.number, "status": p.status,
            "reply_to_post": p.reply_to_id, "body_markdown": p.body_md,
            "moderation_reason": p.moderation_reason,
            "created_at": _time(p.created_at), "edited_at": _time(p.edited_at),
            "earlier_versions": [{
                "body_markdown": r.body_md, "written_at": _time(r.created_at),
                "replaced_at": _time(r.replaced_at),
            } for r in revisions.get(p.id, [])],
        } for p in posts],
        "reports_filed": [{
            "post": r.post_id, **_place(r.post.thread), "reason": r.reason_title,
            "detail": r.detail, "created_at": _time(r.created_at),
            "resolved_at": _time(r.resolved_at),
        } for r in reports],
        "moderation_decisions_about_you": [{
            "group": name, "action": a.action, "reason": a.reason, "post": a.post_id,
            "created_at": _time(a.created_at),
        } for a, name in decisions],
        "content_notes_acknowledged": [{
            "group": group_name, "discussion": title,
            "acknowledged_at": _time(ack.acknowledged_at),
        } for ack, title, group_name in acks],
        "read_marks": [{
            **_place(read_threads[r.thread_id]), "read_up_to_post": r.last_read_number,
            "read_at": _time(r.read_at),
        } for r in reads],
        "poll_answers": [{
            "group": group_name, "discussion": title, "statement": statement,
            "phase": a.phase, "answer": SCALE.get(a.value, a.value), "reason": a.reason,
            "answered_at": _time(a.created_at), "changed_at": _time(a.updated_at),
        } for a, statement, title, group_name in poll_answers],
    }
