"""What the thread page shows of each post, decided once in Python.

The thread page is the most visited page and renders fifty posts. Asking the
policy and building URLs from inside a per-post template cost most of its time
(an include, macro imports and a dozen ``url_for`` calls per post), so the view
builds one ``PostView`` per post here, from the same policy functions, and the
template only prints them. URLs that differ only by a post id are built once
per page as a ``UrlPattern``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for

from casebook import policy
from casebook.debrief import service as debrief
from casebook.discussion import service, thread_reading
from casebook.discussion.models import HIDDEN, PUBLISHED, REMOVED, Post
from casebook.groups.models import Membership
from casebook.live.projector import on_screen
from casebook.timefmt import formatter_for

# An id no real row reaches for years, swapped for each post's id. Built with
# the real route so the prefix and suffix always match what url_for would give.
_SENTINEL = 987654321987654321


class UrlPattern:
    """``pattern(42)`` is ``url_for(endpoint, <id_arg>=42, **values)``, built once."""

    __slots__ = ("prefix", "suffix")

    def __init__(self, endpoint: str, id_arg: str, **values):
        built = url_for(endpoint, **{id_arg: _SENTINEL}, **values)
        self.prefix, self.suffix = built.split(str(_SENTINEL), 1)

    def __call__(self, id_: int) -> str:
        return f"{self.prefix}{id_}{self.suffix}"


class PostUrls:
    """Every per-post link and form action of one thread page."""

    def __init__(self, group_id: int, thread_id: int):
        post = {"group_id": group_id}
        self.permalink = UrlPattern("discussion.permalink", "post_id", **post)
        self.edit = UrlPattern("discussion.edit_post", "post_id", **post)
        self.delete = UrlPattern("discussion.delete_post", "post_id", **post)
        self.history = UrlPattern("discussion.history", "post_id", **post)
        self.report = UrlPattern("moderation.report", "post_id", **post)
        self.approve = UrlPattern("moderation.approve", "post_id", **post)
        self.reject = UrlPattern("moderation.reject", "post_id", **post)
        self.hide = UrlPattern("moderation.hide", "post_id", **post)
        self.restore = UrlPattern("moderation.restore", "post_id", **post)
        self.project = UrlPattern("live.show_on_projector", "post_id", **post)
        self.take_down = UrlPattern("live.take_down", "post_id", **post)
        self.reply = UrlPattern("discussion.thread", "reply_to", group_id=group_id,
                                thread_id=thread_id)
        self.key = UrlPattern("debrief.mark_key", "post_id", **post)
        self.pin = url_for("moderation.pin", group_id=group_id, thread_id=thread_id)
        self.unpin = url_for("moderation.unpin", group_id=group_id, thread_id=thread_id)
        self.thread = url_for("discussion.thread", group_id=group_id, thread_id=thread_id)


@dataclass(slots=True)
class ReplyRef:
    """The "In reply to" line: whom, and what of their post the viewer may read."""

    post: Post
    label: thread_reading.AuthorLabel
    shows: str  # "quote", "removed", "hidden" or "not-shown"
    quote: str


@dataclass(slots=True)
class PostView:
    post: Post
    label: thread_reading.AuthorLabel
    own: bool
    created: tuple[str, str]  # (ISO time, local time in the viewer's zone)
    edited: tuple[str, str] | None
    shows_body: bool
    reply_ref: ReplyRef | None
    may_reply: bool
    may_edit: bool
    may_delete: bool
    sees_history: bool
    may_report: bool
    reported: bool
    tags: list = field(default_factory=list)  # deliberation.service.Tag
    speaking_as: str | None = None  # the stakeholder role the post was written in


def _reply_ref(viewer, membership: Membership | None, post: Post, label_of,
               sees_peers: bool) -> ReplyRef | None:
    target = post.reply_to
    if (target is None or post.status == REMOVED
            or not policy.may_see_post(viewer, membership, target, sees_peers=sees_peers)):
        return None
    quote = ""
    if target.status == REMOVED:
        shows = "removed"
    elif target.status == HIDDEN and not policy.may_see_post_body(viewer, membership, target):
        shows = "hidden"
    elif target.status in (PUBLISHED, HIDDEN):
        shows, quote = "quote", service.excerpt(target.body_md)
    else:
        shows = "not-shown"
    return ReplyRef(target, label_of(target), shows, quote)


def moderation_controls(session, viewer, membership: Membership | None, thread,
                        token: str) -> dict | None:
    """What a post's moderation controls need (``mod`` in discussion/_post.html),
    or None when the viewer may not moderate. ``projector`` holds the ids on the
    discussion's projector screen when the viewer may put posts there;
    ``key_posts`` the discussion's key contributions when the viewer may mark them."""
    if not policy.may_moderate(viewer, membership):
        return None
    projector = key_posts = None
    if policy.may_use_projector(viewer, membership):
        projector = on_screen(session, thread.discussion_id)
    if policy.may_mark_key_contributions(viewer, membership):
        key_posts = debrief.key_post_ids(session, thread.discussion_id)
    return {"token": token, "pinned_post_id": thread.pinned_post_id, "projector": projector,
            "key_posts": key_posts}


def post_views(viewer, membership: Membership | None, posts: list[Post], *,
               label_of: Callable[[Post], thread_reading.AuthorLabel], sees_peers: bool,
               may_post: bool, reported: set[int], now: datetime,
               tags: dict | None = None) -> list[PostView]:
    """One ``PostView`` per post, each decision taken by ``casebook.policy``.

    ``tags`` is ``deliberation.service.tags_by_post`` for these posts."""
    moment = formatter_for(viewer)
    history = policy.may_see_edit_history(viewer, membership)
    viewer_id = viewer.id if viewer.is_authenticated else None
    views = []
    tags = tags or {}
    for post in posts:
        published = post.status == PUBLISHED
        tagged = tags.get(post.id)
        views.append(PostView(
            post=post,
            label=label_of(post),
            own=viewer_id is not None and post.author_id == viewer_id,
            created=moment(post.created_at),
            edited=moment(post.edited_at) if post.edited_at else None,
            shows_body=(post.status != REMOVED
                        and policy.may_see_post_body(viewer, membership, post)),
            reply_ref=_reply_ref(viewer, membership, post, label_of, sees_peers),
            may_reply=may_post and published,
            may_edit=policy.may_edit_post(viewer, membership, post, now),
            may_delete=policy.may_delete_post(viewer, membership, post),
            sees_history=bool(post.edited_at) and history,
            may_report=post.id not in reported and policy.may_report_post(
                viewer, membership, post),
            reported=post.id in reported,
            tags=tagged.tags if tagged else [],
            speaking_as=tagged.speaking_as if tagged else None,
        ))
    return views

