"""Loading threads and posts for a request, with the one visibility rule applied.

Every page that shows, quotes or names a post (thread, permalink, reply form,
edit, delete, history, report) loads it here, so ``policy.may_see_post``
decides for all of them and an id the viewer may not see answers 404
everywhere alike.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from casebook import policy
from casebook.db import get_session
from casebook.discussion import service
from casebook.discussion.models import Discussion, Post, Thread
from casebook.groups.models import Group, Membership


def load_thread(group: Group, membership: Membership | None, thread_id: int) -> Thread:
    """A thread of ``group`` in a discussion the viewer may see; 404 otherwise."""
    thread = get_session().get(Thread, thread_id, options=[
        joinedload(Thread.discussion).joinedload(Discussion.case), joinedload(Thread.prompt),
    ])
    if (thread is None or thread.discussion.group_id != group.id
            or not policy.may_view_thread(current_user, membership, thread)):
        abort(404)
    return thread


def sees_peers(thread: Thread, membership: Membership | None) -> bool:
    """Post-first: asks the database whether the viewer answered only when it matters."""
    if policy.may_see_peer_posts(current_user, membership, thread, has_answered=False):
        return True
    answered = service.has_answered(get_session(), thread, current_user)
    return policy.may_see_peer_posts(current_user, membership, thread, answered)


def load_post(group: Group, membership: Membership | None, post_id: int) -> Post:
    """A post of ``group`` the viewer may see; 404 for anything else, so ids reveal nothing."""
    post = get_session().get(Post, post_id, options=[
        joinedload(Post.thread).joinedload(Thread.discussion).joinedload(Discussion.case),
        joinedload(Post.thread).joinedload(Thread.prompt),
        joinedload(Post.author),
    ])
    if post is None or post.thread.discussion.group_id != group.id:
        abort(404)
    if not policy.may_see_post(current_user, membership, post,
                               sees_peers=sees_peers(post.thread, membership)):
        abort(404)
    return post
