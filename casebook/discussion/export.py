"""Transcripts and participation summaries that facilitators download.

Transcripts get shared (with assessors, in teaching material), so they name
people the way peers see them: in a pseudonymous discussion participants
appear as their pseudonym, and ``member_key`` (the pseudonym number, as on
the group's members page) lets a facilitator map them back. Only posts that
were published appear: hidden ones are marked, removed ones keep their place
without their text, and posts awaiting approval or rejected are left out.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from casebook.cases.models import STAGE_TITLES
from casebook.db import utcnow
from casebook.discussion.models import (
    HIDDEN,
    IDENTITY_MODES,
    PUBLISHED,
    REMOVED,
    Discussion,
    Post,
    Thread,
)
from casebook.discussion.service import author_label, members_by_user
from casebook.groups.models import ACTIVE, Group, Membership

MEMBER_THREAD_STAGE = "Threads started by members"
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def iso_utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def safe_cell(value):
    """Spreadsheet-safe: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class _Transcript:
    threads: list[Thread]
    posts_by_thread: dict[int, list[Post]]
    members: dict[int, Membership]


def _load(session: Session, discussion: Discussion) -> _Transcript:
    threads = list(session.scalars(
        select(Thread).where(Thread.discussion_id == discussion.id)
        .options(joinedload(Thread.prompt)).order_by(Thread.position, Thread.id)
    ))
    posts = list(session.scalars(
        select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Thread.discussion_id == discussion.id, Post.number.is_not(None),
               Post.status.in_((PUBLISHED, HIDDEN, REMOVED)))
        .options(selectinload(Post.author)).order_by(Post.thread_id, Post.number)
    ))
    by_thread: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        by_thread[post.thread_id].append(post)
    members = members_by_user(session, discussion.group_id, (p.author_id for p in posts))
    return _Transcript(threads, by_thread, members)


def _stage(thread: Thread) -> str:
    if thread.prompt is None:
        return MEMBER_THREAD_STAGE
    return STAGE_TITLES.get(thread.prompt.stage, thread.prompt.stage)


def _author(post: Post, data: _Transcript, discussion: Discussion) -> str:
    return str(author_label(post.author, data.members.get(post.author_id), discussion,
                            real_names=False, role=post.author_role))


def _member_key(post: Post, data: _Transcript) -> str:
    membership = data.members.get(post.author_id)
    return str(membership.pseudonym_number) if membership is not None else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def transcript_markdown(session: Session, group: Group, discussion: Discussion) -> str:
    data = _load(session, discussion)
    numbers = {p.id: p.number for posts in data.posts_by_thread.values() for p in posts}
    lines = [
        f"# {_one_line(discussion.title)}",
        "",
        f"- Case: {discussion.case.title}",
        f"- Group: {_one_line(group.name)}",
        f"- Identity: {IDENTITY_MODES.get(discussion.identity, discussion.identity)}",
        f"- Post first: {'on' if discussion.post_first else 'off'}",
        f"- Exported: {iso_utc(utcnow())}",
        "",
    ]
    for thread in data.threads:
        if thread.prompt is not None:
            lines.append(f"## {_stage(thread)}: {_one_line(thread.prompt.text_md)}")
        else:
            lines.append(f"## {MEMBER_THREAD_STAGE}: {_one_line(thread.title)}")
        lines.append("")
        posts = data.posts_by_thread.get(thread.id, [])
        if not posts:
            lines += ["_No posts._", ""]
        for post in posts:
            heading = (f"### #{post.number} — {_author(post, data, discussion)} — "
                       f"{iso_utc(post.created_at)}")
            lines += [heading, ""]
            notes = []
            if post.reply_to_id in numbers:
                notes.append(f"In reply to #{numbers[post.reply_to_id]}.")
            if post.edited_at:
                notes.append(f"Edited {iso_utc(post.edited_at)}.")
            if notes:
                lines += ["_" + " ".join(notes) + "_", ""]
            if post.status == REMOVED:
                lines += ["[removed by its author]", ""]
                continue
            if post.status == HIDDEN:
                reason = _one_line(post.moderation_reason or "no reason given")
                lines += [f"[hidden by a moderator: {reason}]", ""]
            lines += [post.body_md.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


TRANSCRIPT_COLUMNS = [
    "thread", "stage", "prompt_id", "post_number", "post_id", "reply_to_post_id", "author",
    "member_key", "created_at_utc", "edited", "status", "text",
]


def transcript_csv(session: Session, discussion: Discussion) -> str:
    data = _load(session, discussion)
    rows: list[list] = [TRANSCRIPT_COLUMNS]
    for thread in data.threads:
        for post in data.posts_by_thread.get(thread.id, []):
            rows.append([
                thread.title, _stage(thread), thread.prompt_id or "", post.number, post.id,
                post.reply_to_id or "", _author(post, data, discussion),
                _member_key(post, data), iso_utc(post.created_at),
                "yes" if post.edited_at else "no", post.status,
                "" if post.status == REMOVED else post.body_md,
            ])
    return _csv(rows)


PARTICIPATION_COLUMNS = [
    "member", "member_key", "role", "posts", "words", "replies_received",
    "prompts_answered", "prompts_total", "hidden_posts",
]


@dataclass
class _Tally:
    posts: int = 0
    words: int = 0
    replies_received: int = 0
    hidden_posts: int = 0
    prompts: set[int] = field(default_factory=set)


def participation_csv(session: Session, group: Group, discussion: Discussion) -> str:
    """One row per active member and per anyone who posted; published posts only
    count, hidden ones are counted apart. A reply to oneself is not a reply received."""
    data = _load(session, discussion)
    active = session.scalars(
        select(Membership).where(Membership.group_id == group.id, Membership.status == ACTIVE)
        .options(selectinload(Membership.user))
    ).all()
    members = {m.user_id: m for m in active}
    members.update(data.members)
    prompt_threads = {t.id for t in data.threads if t.prompt_id is not None}
    posts = [p for thread_posts in data.posts_by_thread.values() for p in thread_posts]
    authors = {p.id: p.author_id for p in posts}
    tallies: dict[int | None, _Tally] = defaultdict(_Tally)
    for user_id in members:  # every active member gets a row, posts or not
        tallies.setdefault(user_id, _Tally())
    for post in posts:
        tally = tallies[post.author_id]
        if post.status == HIDDEN:
            tally.hidden_posts += 1
            continue
        if post.status != PUBLISHED:
            continue
        tally.posts += 1
        tally.words += len(post.body_md.split())
        if post.thread_id in prompt_threads:
            tally.prompts.add(post.thread_id)
        target = authors.get(post.reply_to_id)
        if post.reply_to_id in authors and target != post.author_id:
            tallies[target].replies_received += 1

    rows: list[list] = [PARTICIPATION_COLUMNS]
    deleted = tallies.pop(None, None)
    order = sorted(tallies, key=lambda uid: members[uid].pseudonym_number
                   if uid in members else 0)
    for user_id in order:
        membership = members.get(user_id)
        tally = tallies[user_id]
        user = membership.user if membership is not None else None
        label = author_label(user, membership, discussion, real_names=False)
        rows.append([
            label.name, membership.pseudonym_number if membership else "",
            membership.role_title if membership else "", tally.posts, tally.words,
            tally.replies_received, len(tally.prompts), len(prompt_threads),
            tally.hidden_posts,
        ])
    if deleted is not None:
        rows.append([
            "Deleted account", "", "", deleted.posts, deleted.words, deleted.replies_received,
            len(deleted.prompts), len(prompt_threads), deleted.hidden_posts,
        ])
    return _csv(rows)
