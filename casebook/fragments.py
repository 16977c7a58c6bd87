"""Rendered post lists of the thread page, cached by thread version.

Every flush that changes something a thread page shows (a post, its tags, a report, the
thread itself, its discussion's settings, the group, a membership, a member's
name) raises ``Thread.version`` of the threads concerned, in the same
transaction as the change. A cached post list is keyed by that version and by
everything about the viewer that changes what they see, so a stale entry is
never read again and nothing has to be deleted: entries simply age out.

With ``CASEBOOK_REDIS_URL`` the cache is Redis, shared by every app server;
otherwise a small LRU in each process (safe for the same reason: the key
carries the version, which lives in the database).
"""

import contextlib
import hashlib
import json

from flask import current_app
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from casebook.httpcache import RenderCache

# Entries live at most this long in Redis; the version makes them stale long before.
REDIS_TTL_SECONDS = 3600
LOCAL_ENTRIES = 512


class RedisCache:
    def __init__(self, url: str, prefix: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5)
        self.errors = (redis.RedisError, OSError)
        self.prefix = prefix

    def get(self, key: str):
        try:
            value = self.client.get(self.prefix + key)
        except self.errors:
            # Redis away: the page renders as if uncached rather than failing.
            return None
        return json.loads(value) if value is not None else None

    def put(self, key: str, value) -> None:
        with contextlib.suppress(*self.errors):
            self.client.set(self.prefix + key, json.dumps(value), ex=REDIS_TTL_SECONDS)


def init_app(app) -> None:
    if app.config.get("REDIS_URL"):
        prefix = app.config.get("RATELIMIT_KEY_PREFIX", "") + "casebook:fragment:"
        app.extensions["casebook.fragments"] = RedisCache(app.config["REDIS_URL"], prefix)
    else:
        app.extensions["casebook.fragments"] = RenderCache(size=LOCAL_ENTRIES)


def _cache():
    return current_app.extensions["casebook.fragments"]


def key_for(*parts) -> str:
    # The template digest is part of the key: a deploy with changed templates
    # never reads lists rendered by the old ones.
    raw = json.dumps([current_app.config.get("RENDER_VERSION", ""), *parts], default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def get(key: str):
    """The value stored under ``key`` (plain JSON-able data), or None."""
    return _cache().get(key)


def put(key: str, value) -> None:
    _cache().put(key, value)


def placeholder(name: str) -> str:
    """What kept HTML holds where a per-request value called ``name`` goes.

    Derived from the secret key so all app servers agree and no member can
    write it into a post to have it replaced."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return f"{name}-" + hashlib.sha256(secret + f"fragment-{name}".encode()).hexdigest()[:32]


def csrf_placeholder() -> str:
    """Where a CSRF token goes in cached lists and kept page parts; swapped per request."""
    return placeholder("csrf")


# Invalidation ------------------------------------------------------------------

def _changed(obj, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _raise_versions(session: Session, _flush_context, _instances) -> None:
    from casebook.accounts.models import User
    from casebook.debrief.models import KeyContribution
    from casebook.deliberation.models import PostTag
    from casebook.discussion.models import Discussion, Post, Thread
    from casebook.groups.models import Group, Membership
    from casebook.live.models import ProjectorPost
    from casebook.moderation.models import Report

    threads, discussions, groups, users = set(), set(), set(), set()
    # Reports, tags, key contributions and projector rows name their post; its
    # thread is looked up below.
    post_ids = set()
    dirty = [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in [*session.new, *dirty, *session.deleted]:
        if isinstance(obj, Post):
            # A post of a thread made in this flush has neither yet: nothing is cached.
            threads.add(obj.thread_id if obj.thread_id is not None
                        else obj.thread.id if obj.thread is not None else None)
        elif isinstance(obj, Thread):
            # A new thread starts at version 0; a changed one (lock, pin) moves on.
            if obj.id is not None and obj not in session.new:
                threads.add(obj.id)
        elif isinstance(obj, Report | KeyContribution | ProjectorPost):
            # A facilitator's post shows whether it is a key contribution and
            # whether it is on the projector.
            post_ids.add(obj.post_id)
        elif isinstance(obj, PostTag):
            # A tag written with a new post has no post id yet; the post counts then.
            post_ids.add(obj.post_id if obj.post_id is not None
                         else obj.post.id if obj.post is not None else None)
        elif isinstance(obj, Discussion):
            if obj.id is not None:
                discussions.add(obj.id)
        elif isinstance(obj, Group):
            if obj.id is not None:
                groups.add(obj.id)
        elif isinstance(obj, Membership):
            groups.add(obj.group_id)
        elif isinstance(obj, User) and (obj in session.deleted
                                        or _changed(obj, "display_name", "is_admin")):
            users.add(obj.id)
    threads.discard(None)
    post_ids.discard(None)
    if post_ids:
        threads |= set(session.scalars(
            select(Post.thread_id).where(Post.id.in_(post_ids))))
    if users:
        groups |= set(session.scalars(
            select(Membership.group_id).where(Membership.user_id.in_(users))))
    groups.discard(None)
    if groups:
        discussions |= set(session.scalars(
            select(Discussion.id).where(Discussion.group_id.in_(groups))))
    conditions = []
    if threads:
        conditions.append(Thread.id.in_(threads))
    if discussions:
        conditions.append(Thread.discussion_id.in_(discussions))
    for condition in conditions:
        session.execute(update(Thread).where(condition)
                        .values(version=Thread.version + 1)
                        .execution_options(synchronize_session=False))
