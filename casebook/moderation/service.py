"""Screening posts and the moderators' actions, each written to the group's log."""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casebook.accounts.models import User
from casebook.discussion.models import PUBLISHED, Discussion, Post, Thread
from casebook.groups.models import FACILITATOR, MODERATOR, Group, Membership
from casebook.moderation.models import ModerationAction, WatchedWord

PUBLISH, HOLD, BLOCK = "publish", "hold", "block"


@dataclass
class Screening:
    action: str  # PUBLISH, HOLD or BLOCK
    flagged: bool = False
    rule: WatchedWord | None = None  # the rule that blocked or held it
    reason: str = ""  # why it is held, for the queue


def _matches(phrase: str, text: str) -> bool:
    # Whole words, any case, any run of spaces between the words of a phrase,
    # so "Smith" does not catch "Smithfield" but does catch "SMITH".
    words = [re.escape(w) for w in phrase.split()]
    pattern = r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def watched_words(session: Session, group_id: int) -> list[WatchedWord]:
    return list(session.scalars(
        select(WatchedWord).where(WatchedWord.group_id == group_id).order_by(WatchedWord.phrase)
    ))


def screen(session: Session, group: Group, membership: Membership, text: str) -> Screening:
    """Decide what happens to a new post: the strictest matching rule wins.

    Block beats hold beats flag. Pre-moderation then holds posts that no
    rule held. Facilitators and moderators are screened for blocked words
    too (a real name is a real name) but never pre-moderated.
    """
    rules = [w for w in watched_words(session, group.id) if _matches(w.phrase, text)]
    for action in ("block", "hold"):
        hit = next((w for w in rules if w.action == action), None)
        if hit is not None:
            if action == "block":
                return Screening(BLOCK, rule=hit)
            return Screening(HOLD, flagged=True, rule=hit,
                             reason=f"Held: contains the watched phrase “{hit.phrase}”")
    flagged = any(w.action == "flag" for w in rules)
    if membership.role in (FACILITATOR, MODERATOR):
        return Screening(PUBLISH, flagged=flagged)
    if needs_premoderation(session, group, membership):
        return Screening(HOLD, flagged=flagged, reason="Pre-moderation")
    return Screening(PUBLISH, flagged=flagged)


def needs_premoderation(session: Session, group: Group, membership: Membership) -> bool:
    if group.premoderation == "all":
        return True
    if group.premoderation != "first":
        return False
    published = session.scalar(
        select(func.count()).select_from(Post)
        .join(Thread, Post.thread_id == Thread.id)
        .join(Discussion, Thread.discussion_id == Discussion.id)
        .where(Discussion.group_id == group.id, Post.author_id == membership.user_id,
               Post.status == PUBLISHED)
    )
    return published < group.premoderation_first_n


def log(session: Session, group_id: int, actor: User | None, action: str, *,
        reason: str = "", target_user_id: int | None = None, post: Post | None = None,
        thread: Thread | None = None, details: dict | None = None) -> ModerationAction:
    """Append to the group's moderation log (in the caller's transaction)."""
    entry = ModerationAction(
        group_id=group_id, actor_id=actor.id if actor is not None else None, action=action,
        reason=reason, target_user_id=target_user_id,
        post_id=post.id if post is not None else None,
        thread_id=thread.id if thread is not None else (post.thread_id if post else None),
        details=details or {},
    )
    session.add(entry)
    return entry

