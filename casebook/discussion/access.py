"""Loading threads and posts for a request, with the one visibility rule applied.

Every page that shows, quotes or names a post (thread, permalink, reply form,
edit, delete, history, report) loads it here, so ``policy.may_see_post``
decides for all of them and an id the viewer may not see answers 404
everywhere alike.
"""

import functools
from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import contains_eager, defer, joinedload

from casebook import policy
from casebook.cases.models import Case
from casebook.db import get_session
from casebook.deliberation import service as deliberation
from casebook.discussion import thread_reading
from casebook.discussion.models import Discussion, Post, Thread
from casebook.groups.models import Group, Membership
from casebook.live import events as live
from casebook.polls import service as polls


def load_thread(group: Group, membership: Membership | None, thread_id: int) -> Thread:
    """A thread of ``group`` in a discussion the viewer may see; 404 otherwise."""
    thread = get_session().get(Thread, thread_id, options=[
        joinedload(Thread.discussion).joinedload(Discussion.case), joinedload(Thread.prompt),
    ])
    if thread is None:
        abort(404)
    _check(group, membership, thread)
    return thread


def _check(group: Group, membership: Membership | None, thread: Thread) -> None:
    if (thread.discussion.group_id != group.id
            or not policy.may_view_thread(current_user, membership, thread)):
        abort(404)


@dataclass(frozen=True)
class ViewerFacts:
    """What the thread page asks about its viewer, read with the thread."""

    live_after: int  # the discussion's newest live event (``live.last_id``)
    read_before: int | None  # the viewer's read mark (0 for none); None signed out
    note_read: bool  # ``thread_reading.has_acknowledged_note``
    poll: tuple | None  # ``polls.state_columns`` values; None for a non-member
    role_key: str | None  # ``deliberation.role_key_column``: the stakeholder assigned here


def load_thread_page(group_id: int, thread_id: int
                     ) -> tuple[Group, Membership | None, Thread, ViewerFacts]:
    """``groups.access.load_group``, ``load_thread`` and the ``ViewerFacts`` in one
    query: every thread page asks, and on PostgreSQL each query is a round trip.
    Missing and forbidden answer 404 alike, as each does alone.

    The live id is read with the thread, so before the posts: the stream
    resumes after it, and a post both on the page and in the stream replaces
    itself rather than showing twice.
    """
    user_id = current_user.id if current_user.is_authenticated else None
    row = get_session().execute(_thread_page_statement(user_id is not None), {
        "group_id": group_id, "thread_id": thread_id, "user_id": user_id}).first()
    if row is None:
        abort(404)
    thread, group, membership, *values = row
    if not policy.may_view_group(current_user, membership):
        abort(404)
    _check(group, membership, thread)
    if user_id is None:
        return group, None, thread, ViewerFacts(values[0], None, False, None, None)
    live_after, read_before, note_read, role_key, *poll = values
    return group, membership, thread, ViewerFacts(
        live_after, read_before, bool(note_read),
        tuple(poll) if membership is not None else None, role_key)


# The case's longest columns, which the thread page never shows: reading them on
# every view cost more than the rest of the case.
_NOT_ON_THE_THREAD_PAGE = (Case.body_md, Case.search_text, Case.sources, Case.teaching_notes)


@functools.cache
def _thread_page_statement(signed_in: bool):
    """Built once per kind of viewer: building it costs more than running it.

    The viewer's membership is outer-joined: a signed-out viewer, a site
    administrator or anyone else outside the group gets None, and
    ``policy.may_view_group`` decides."""
    user_id = bindparam("user_id")
    columns = [live.last_id_column(Thread.discussion_id)]
    if signed_in:
        columns += [thread_reading.read_mark_column(Thread.id, user_id),
                    thread_reading.note_acknowledged_column(Thread.discussion_id, user_id),
                    deliberation.role_key_column(Thread.discussion_id, Membership.id),
                    *polls.state_columns(Thread.discussion_id, Discussion.case_id, user_id)]
    return (select(Thread, Group, Membership, *columns).join(Thread.discussion)
            .join(Group, Group.id == Discussion.group_id)
            .outerjoin(Membership, and_(Membership.group_id == Group.id,
                                        Membership.user_id == user_id))
            .where(Thread.id == bindparam("thread_id"), Group.id == bindparam("group_id"))
            .options(contains_eager(Thread.discussion).joinedload(Discussion.case)
                     .options(*map(defer, _NOT_ON_THE_THREAD_PAGE)),
                     joinedload(Thread.prompt)))


def sees_peers(thread: Thread, membership: Membership | None) -> bool:
    """Post-first: asks the database whether the viewer answered only when it matters."""
    if policy.may_see_peer_posts(current_user, membership, thread, has_answered=False):
        return True
    answered = thread_reading.has_answered(get_session(), thread, current_user)
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
