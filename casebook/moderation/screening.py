"""Screening a new post before it is stored: watched words (block, hold or
allow) and pre-moderation of a member's first posts. Reads only; the posting
service acts on the outcome."""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casebook.discussion.models import (
    PUBLISHED,
    Discussion,
    Post,
    Thread,
)
from casebook.groups.models import FACILITATOR, MODERATOR, Group, Membership
from casebook.moderation.models import (
    WatchedWord,
)

PUBLISH, HOLD, BLOCK = "publish", "hold", "block"


@dataclass
class Screening:
    action: str  # PUBLISH, HOLD or BLOCK
    flagged: bool = False
    rule: WatchedWord | None = None  # the rule that blocked or held it
    reason: str = ""  # why it is held, for the queue


def _fold(text: str) -> str:
    # NFC so a decomposed "Zoë" (e + combining diaeresis) is the same as a
    # composed one; casefold so "STRASSE" matches "Straße".
    return unicodedata.normalize("NFC", text).casefold()


def normalise_phrase(phrase: str) -> str:
    """How a watched phrase is stored: trimmed, one space between words."""
    return " ".join(phrase.split())


def _matches(phrase: str, text: str) -> bool:
    # Whole words, any case, any run of spaces between the words of a phrase,
    # so "Smith" does not catch "Smithfield" but does catch "SMITH".
    words = [re.escape(w) for w in _fold(phrase).split()]
    if not words:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"
    return re.search(pattern, _fold(text), flags=re.IGNORECASE) is not None


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


@dataclass(frozen=True)
class Hold:
    """Pre-moderation as it applies to one member now: ``every`` post is held,
    or the next ones until ``remaining`` more of theirs are published."""

    every: bool
    remaining: int = 0


def premoderation_hold(session: Session, group: Group, membership: Membership) -> Hold | None:
    """Whether the member's next post will be held by pre-moderation (None: it won't).

    "First N posts" counts the member's published posts in the group: while
    fewer than N are published, new ones wait. Rejected, hidden and removed
    posts do not count, so a post that is turned down does not use up a place.
    """
    if membership.role in (FACILITATOR, MODERATOR):
        return None
    if group.premoderation == "all":
        return Hold(every=True)
    if group.premoderation != "first":
        return None
    published = session.scalar(
        select(func.count()).select_from(Post)
        .join(Thread, Post.thread_id == Thread.id)
        .join(Discussion, Thread.discussion_id == Discussion.id)
        .where(Discussion.group_id == group.id, Post.author_id == membership.user_id,
               Post.status == PUBLISHED)
    )
    if published >= group.premoderation_first_n:
        return None
    return Hold(every=False, remaining=group.premoderation_first_n - published)


def needs_premoderation(session: Session, group: Group, membership: Membership) -> bool:
    return premoderation_hold(session, group, membership) is not None
