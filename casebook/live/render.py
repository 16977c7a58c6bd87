"""What one viewer's stream shows of an event: exactly what their page would.

An event names a post or a stage, never content. Each stream renders it for
its own viewer with the thread page's rules (``policy.may_see_post`` with the
post-first answer looked up now, ``policy.may_view_thread`` for stages) and
the thread page's post markup (``discussion/_post.html``), so a live page
never holds a post, a name or a text its reload would not.
"""

from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from casebook import fragments, policy
from casebook.cases.models import STAGE_TITLES, Prompt
from casebook.db import get_session
from casebook.deliberation import service as deliberation
from casebook.discussion import presenters, reading
from casebook.discussion.access import sees_peers
from casebook.discussion.models import Discussion, Post, Thread
from casebook.discussion.views import Labels
from casebook.groups.models import Group, Membership
from casebook.moderation import service as moderation


def posts_for(viewer, group: Group, membership: Membership | None, thread: Thread,
              post_ids, *, csrf_token: str | None, now: datetime) -> dict[int, tuple]:
    """``{post id: (number, article html)}`` for the posts of ``post_ids`` in
    ``thread`` that the thread page shows this viewer; the others are left out."""
    ids = set(post_ids)
    if not ids:
        return {}
    session = get_session()
    posts = list(session.scalars(
        select(Post).where(Post.id.in_(ids), Post.thread_id == thread.id)
        .options(joinedload(Post.author), joinedload(Post.reply_to).joinedload(Post.author))
        .order_by(Post.id)))
    peers = sees_peers(thread, membership)
    shown = [p for p in posts if policy.may_see_post(viewer, membership, p, sees_peers=peers)]
    if not shown:
        return {}
    reported = moderation.reported_by(session, viewer, [p.id for p in shown])
    may_post = policy.may_post_in(viewer, membership, thread, now)
    # A thousand open pages render each new post; those whose viewers would see
    # the same markup share one rendering. The key is everything about the
    # viewer that the markup depends on, as in the thread page's own cache,
    # less the viewer's id: their own posts and reports are named instead.
    viewer_id = viewer.id if viewer.is_authenticated else None
    key = fragments.key_for(
        "live-posts", thread.id, thread.created_at, thread.version,
        [p.id for p in shown], [p.id for p in shown if p.author_id == viewer_id],
        sorted(reported), getattr(viewer, "is_admin", False),
        getattr(viewer, "timezone", None),
        membership and (membership.role, membership.status, membership.is_muted(now)),
        group.archived_at is not None, thread.discussion.state(now), peers, may_post,
        policy.may_see_real_names(viewer, membership, thread.discussion),
    )
    placeholder = fragments.csrf_placeholder()
    cached = fragments.get(key)
    if cached is None:
        cached = _render(viewer, group, membership, thread, shown, peers=peers,
                         may_post=may_post, reported=reported, token=placeholder, now=now)
        fragments.put(key, cached)
    return {int(post_id): (number, html.replace(placeholder, csrf_token or ""))
            for post_id, (number, html) in cached.items()}


def viewer_kind(viewer, group: Group, membership: Membership | None, thread: Thread,
                now: datetime) -> tuple:
    """What a thread stream's markup depends on besides the posts and whether
    the viewer wrote or reported one: viewers of one kind are sent the same text
    (the same parts as ``posts_for``'s key, less the viewer's own posts and reports)."""
    return ("thread", thread.id, getattr(viewer, "is_admin", False),
            getattr(viewer, "timezone", None),
            membership and (membership.role, membership.status, membership.is_muted(now)),
            group.archived_at is not None, thread.discussion.state(now),
            sees_peers(thread, membership), policy.may_post_in(viewer, membership, thread, now),
            policy.may_see_real_names(viewer, membership, thread.discussion))


def _render(viewer, group: Group, membership: Membership | None, thread: Thread,
            shown: list[Post], *, peers: bool, may_post: bool, reported: set[int],
            token: str, now: datetime) -> dict[str, list]:
    session = get_session()
    authors = {p.author_id for p in shown}
    authors |= {p.reply_to.author_id for p in shown if p.reply_to is not None}
    labels = Labels(thread.discussion, membership,
                    reading.members_by_user(session, group.id, authors))
    views = presenters.post_views(
        viewer, membership, shown, label_of=labels, sees_peers=peers, may_post=may_post,
        reported=reported, now=now,
        tags=deliberation.tags_by_post(session, thread.discussion.case, [p.id for p in shown]))
    mod = presenters.moderation_controls(session, viewer, membership, thread, token)
    article = current_app.jinja_env.get_template("discussion/_post.html").module.post_article
    urls = presenters.PostUrls(group.id, thread.id)
    # JSON keys: the cache may be Redis.
    return {str(v.post.id): [v.post.number, str(article(v, urls, mod))] for v in views}


def stage_notice(viewer, membership: Membership | None, discussion: Discussion,
                 stage: str, now: datetime) -> dict | None:
    """``{"text", "url"}`` announcing that ``stage`` opened, when the viewer may
    now read one of its prompts; None otherwise (not open, or not theirs to see)."""
    session = get_session()
    thread = session.scalar(
        select(Thread).join(Prompt, Thread.prompt_id == Prompt.id)
        .where(Thread.discussion_id == discussion.id, Prompt.stage == stage)
        .options(joinedload(Thread.prompt), joinedload(Thread.discussion))
        .order_by(Thread.position).limit(1))
    if thread is None or not policy.may_view_thread(viewer, membership, thread, now):
        return None
    return {"text": f"Stage “{STAGE_TITLES.get(stage, stage)}” is now open.",
            "link": "Go to its first prompt",
            "url": url_for("discussion.thread", group_id=discussion.group_id,
                           thread_id=thread.id)}
