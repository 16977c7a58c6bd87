"""Transcripts and participation summaries that facilitators download.

Transcripts get shared (with assessors, in teaching material), so they name
people the way peers see them: in a pseudonymous discussion participants
appear as their pseudonym, and ``member_key`` (the pseudonym number, as on
the group's members page) lets a facilitator map them back. Only posts that
were published appear, and by default a file is safe to pass on: hidden and
removed posts keep their place with a placeholder instead of their text.
A facilitator may ask for the text of hidden posts (``include_hidden``);
the file then says so at the top. Posts awaiting approval or rejected are
left out.

The participation summary comes from ``participation.participation``, the
same figures and columns as the participation page. The before/after poll
appears as counts and shifts only (``casebook.polls.export``): a section at
the end of the Markdown transcript once anyone has answered, and its own CSV.
"""

import csv
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote

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
from casebook.discussion.participation import headings, participation
from casebook.discussion.reading import members_by_user
from casebook.discussion.thread_reading import author_label
from casebook.groups.models import Group, Membership
from casebook.moderation import service as moderation
from casebook.polls import export as poll_export

MEMBER_THREAD_STAGE = "Threads started by members"
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


HIDDEN_WARNING = ("This file will contain posts hidden by moderators; "
                  "do not share it with the group.")


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


def placeholder(post: Post) -> str | None:
    """What stands in for the text of a hidden or removed post; None for others."""
    if post.status == REMOVED:
        return "[Post removed]"
    if post.status == HIDDEN:
        reason = _one_line(post.moderation_reason or "") or "no reason given"
        return f"[Post hidden by a moderator: {reason}]"
    return None


def _text(post: Post, include_hidden: bool) -> str:
    """A removed post's text never leaves: its author took it back."""
    if post.status == HIDDEN and include_hidden:
        return post.body_md
    return placeholder(post) or post.body_md


def transcript_markdown(session: Session, group: Group, discussion: Discussion, *,
                        include_hidden: bool = False) -> str:
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
    if include_hidden:
        lines += [f"**{HIDDEN_WARNING}**", ""]
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
            if post.status == HIDDEN and include_hidden:
                lines += [placeholder(post), ""]
            lines += [_text(post, include_hidden).strip(), ""]
    lines += poll_export.markdown_lines(session, discussion)
    return "\n".join(lines).rstrip() + "\n"


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


TRANSCRIPT_COLUMNS = [
    "thread", "stage", "prompt_id", "post_number", "post_id", "reply_to_post_id", "author",
    "member_key", "created_at_utc", "edited", "status", "note", "text",
]


def transcript_csv(session: Session, discussion: Discussion, *,
                   include_hidden: bool = False) -> str:
    data = _load(session, discussion)
    rows: list[list] = [TRANSCRIPT_COLUMNS]
    for thread in data.threads:
        for post in data.posts_by_thread.get(thread.id, []):
            rows.append([
                thread.title, _stage(thread), thread.prompt_id or "", post.number, post.id,
                post.reply_to_id or "", _author(post, data, discussion),
                _member_key(post, data), iso_utc(post.created_at),
                "yes" if post.edited_at else "no", post.status,
                post.status if post.status in (HIDDEN, REMOVED) else "",
                _text(post, include_hidden),
            ])
    return _csv(rows)


def participation_csv(session: Session, group: Group, discussion: Discussion) -> str:
    """The participation page as a spreadsheet: same columns, times in UTC."""
    figures = participation(session, group, discussion)
    rows: list[list] = [[heading for _key, heading in headings(figures.prompts_total)]]
    for row in figures.rows:
        member = f"{row.member} (former member)" if row.former else row.member
        rows.append([
            member, row.pseudonym, row.role, row.posts, row.hidden, row.words,
            row.prompts, row.replies_given,
            row.replies_received, iso_utc(row.first), iso_utc(row.last),
        ])
    return _csv(rows)


def poll_csv(session: Session, discussion: Discussion) -> str:
    """The poll's counts and shifts per statement (``casebook.polls.export``)."""
    return _csv(poll_export.csv_rows(session, discussion))


def _slug(text: str, *, ascii_only: bool) -> str:
    # Punctuation becomes a hyphen before accents are dropped, so a curly
    # apostrophe in "d'éthique" gives "d-ethique", not "dethique".
    text = re.sub(r"[\W_]+", "-", text.casefold())
    if ascii_only:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")[:60].strip("-")


def filename(group: Group, discussion: Discussion, kind: str, ext: str, day: date,
             *, ascii_only: bool = True) -> str:
    """``<group>-<discussion>-<kind>-YYYY-MM-DD.<ext>``, so saved files say what they are."""
    parts = [_slug(group.name, ascii_only=ascii_only) or "group",
             _slug(discussion.title, ascii_only=ascii_only) or "discussion",
             kind, day.isoformat()]
    return "-".join(parts) + f".{ext}"


def content_disposition(group: Group, discussion: Discussion, kind: str, ext: str,
                        day: date) -> str:
    """An ASCII ``filename`` for old clients and the full name as RFC 5987 ``filename*``."""
    plain = filename(group, discussion, kind, ext, day)
    full = filename(group, discussion, kind, ext, day, ascii_only=False)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(full, safe='')}"


def record(session: Session, discussion: Discussion, facilitator, what: str, *,
           include_hidden: bool = False) -> None:
    """Write a download to the group's moderation log (the action is shown
    capitalised, so ``what`` is lower case) and commit.

    Every facilitator and moderator can then see who took which words out of
    Casebook and when, so an intruder in one facilitator's account leaves a
    trace the others read.
    """
    reason = f"“{discussion.title}”"
    if include_hidden:
        reason += ", with the text of posts hidden by moderators"
    moderation.log(session, discussion.group_id, facilitator, f"exported {what}",
                   reason=reason)
    session.commit()
