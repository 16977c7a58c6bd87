"""One rule (``policy.may_see_post``) decides whether a viewer may see a post,
on every page that shows, quotes or names one: the thread, permalink, report
form, reply form and quotes, edit, delete, history and activity pages."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from casebook import policy
from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.discussion import reading, service, thread_reading
from casebook.discussion.models import (
    HIDDEN,
    PENDING,
    PUBLISHED,
    REJECTED,
    REMOVED,
    Discussion,
    Post,
    Thread,
)
from casebook.groups.service import membership_of
from casebook.moderation.models import Report
from tests.conftest import csrf_from, db
from tests.discussion.conftest import page_text, reply, thread_url, write
from tests.factories import make_discussion


def post_first(app, w) -> None:
    with db(app) as session:
        session.get(Discussion, w.discussion.id).post_first = True
        session.commit()


def set_post(app, post_id: int, **values) -> None:
    with db(app) as session:
        post = session.get(Post, post_id)
        for key, value in values.items():
            setattr(post, key, value)
        session.commit()


def report_url(w, post_id: int) -> str:
    return f"/groups/{w.gid}/posts/{post_id}/report"


def test_report_form_follows_post_first_before_and_after_answering(app, world, client_for):
    post_first(app, world)
    second = world.discussion.threads[1]
    with db(app) as session:
        answer = write(session, world.thread.id, world.ann, "Private answer by Ann").id
    ben = client_for(world.ben)

    page = ben.get(report_url(world, answer))
    assert page.status_code == 404
    assert "Private answer by Ann" not in page_text(page)
    # Posting the form blind is refused the same way, and stores nothing.
    token = csrf_from(page_text(ben.get(thread_url(world, world.thread))))
    sent = ben.post(report_url(world, answer), data={
        "csrf_token": token, "reason": "other", "detail": "guessing"})
    assert sent.status_code == 404
    with db(app) as session:
        assert session.scalar(select(Report.id)) is None

    # Answering another prompt does not open this one.
    assert reply(ben, world, second, "Ben answers the second prompt").status_code == 302
    assert ben.get(report_url(world, answer)).status_code == 404

    assert reply(ben, world, world.thread, "Ben answers the first prompt").status_code == 302
    opened = ben.get(report_url(world, answer))
    assert opened.status_code == 200
    assert "Private answer by Ann" in page_text(opened)


@pytest.mark.parametrize("status", [PENDING, REJECTED])
def test_report_form_does_not_show_held_posts(app, world, client_for, status):
    with db(app) as session:
        held = write(session, world.thread.id, world.ann, "Held post by Ann").id
    set_post(app, held, status=status, number=None)
    page = client_for(world.ben).get(report_url(world, held))
    assert page.status_code == 404
    assert "Held post by Ann" not in page_text(page)


def test_report_form_for_a_hidden_post_shows_no_text(app, world, client_for):
    with db(app) as session:
        hidden = write(session, world.thread.id, world.ann, "Hidden words by Ann").id
    set_post(app, hidden, status=HIDDEN, moderation_reason="Names a suspect")
    page = client_for(world.ben).get(report_url(world, hidden))
    assert page.status_code == 403
    assert "Hidden words by Ann" not in page_text(page)


def test_report_form_for_another_groups_post_is_404(app, world, client_for):
    with db(app) as session:
        elsewhere = write(session, world.other_thread.id, world.out, "Post by Oscar").id
    page = client_for(world.ben).get(report_url(world, elsewhere))
    assert page.status_code == 404
    assert "Post by Oscar" not in page_text(page)


def test_reply_form_does_not_quote_an_answer_the_viewer_may_not_see(app, world, client_for):
    post_first(app, world)
    with db(app) as session:
        answer = write(session, world.thread.id, world.ann, "Unseen answer by Ann").id
    ben = client_for(world.ben)
    form = ben.get(thread_url(world, world.thread, reply_to=answer))
    assert "Unseen answer by Ann" not in page_text(form)
    # A forged reply_to is dropped: the stored post answers nobody.
    assert reply(ben, world, world.thread, "Answer by Ben", reply_to=str(answer)).status_code == 302
    with db(app) as session:
        bens = session.scalar(select(Post).where(Post.author_id == world.ben.id))
        assert bens.reply_to_id is None


def test_own_post_does_not_quote_a_peer_once_the_viewer_loses_sight_of_it(app, world, client_for):
    """Pre-moderation lets a held answer count as answering; when a moderator
    rejects it, the author no longer sees peers, and their rejected reply must
    not carry a peer's words in its quote."""
    post_first(app, world)
    with db(app) as session:
        answer = write(session, world.thread.id, world.ann, "Answer by Ann, quoted").id
        own = write(session, world.thread.id, world.ben, "Held answer by Ben").id
        quoting = write(session, world.thread.id, world.ben, "Ben agrees",
                        reply_to=session.get(Post, answer)).id
    ben = client_for(world.ben)
    assert "Answer by Ann, quoted" in page_text(ben.get(thread_url(world, world.thread)))
    for post_id in (own, quoting):
        set_post(app, post_id, status=REJECTED, number=None, moderation_reason="Off topic")

    page = page_text(ben.get(thread_url(world, world.thread)))
    assert "Ben agrees" in page
    assert "Answer by Ann, quoted" not in page
    assert "Post your answer to see what others wrote" in page


@pytest.mark.parametrize("page", ["", "/edit", "/delete", "/history", "/report"])
def test_every_post_page_answers_404_for_an_unseen_answer(app, world, client_for, page):
    post_first(app, world)
    with db(app) as session:
        answer = write(session, world.thread.id, world.ann, "Answer by Ann").id
    response = client_for(world.ben).get(f"/groups/{world.gid}/posts/{answer}{page}")
    assert response.status_code == 404


def _world_of_posts(app, w):
    """Posts of every status by Ann in two prompt threads and a member thread of a
    post-first discussion, plus a post in a discussion not yet open; Ben has
    answered the second prompt only."""
    with db(app) as session:
        discussion = session.get(Discussion, w.discussion.id)
        discussion.post_first = True
        discussion.allow_member_threads = True
        session.commit()
        first, second = discussion.threads[0].id, discussion.threads[1].id
        ann = session.get(User, w.ann.id)
        own_thread = service.start_thread(
            session, discussion, ann, membership_of(session, w.gid, ann),
            "Side thread by Ann", "Opening post").post.thread_id
        for thread_id in (first, second, own_thread):
            for status in (PUBLISHED, PENDING, REJECTED, HIDDEN, REMOVED):
                post = write(session, thread_id, w.ann, f"{status} in {thread_id}")
                post.status = status
        write(session, second, w.ben, "Ben answered the second prompt")
        later = make_discussion(session, session.get(type(w.group), w.gid),
                                session.get(User, w.fac.id))
        write(session, later.threads[0].id, w.fac, "Prepared framing")
        later.opens_at = utcnow() + timedelta(days=3)
        # Stage by stage: the first stage is open, the second not yet, the
        # third by a time that has passed; posts written ahead by the staff.
        # Post first holds for the third stage only.
        staged = make_discussion(session, session.get(type(w.group), w.gid),
                                 session.get(User, w.fac.id), release="staged",
                                 post_first=True, post_first_stage="lenses",
                                 stage_opens_at={"lenses": utcnow() - timedelta(minutes=1)})
        for thread in staged.threads:
            if thread.prompt.stage in ("understand", "stakeholders", "lenses"):
                write(session, thread.id, w.mod, f"Staged {thread.prompt.stage} {thread.id}")
        session.commit()


@pytest.mark.parametrize("viewer", ["ann", "ben", "mod", "fac", "admin"])
def test_the_list_query_and_the_policy_agree_on_every_post(app, world, viewer):
    _world_of_posts(app, world)
    with db(app) as session:
        user = session.get(User, getattr(world, viewer).id)
        membership = membership_of(session, world.gid, user)
        everything = policy.sees_everything(user, membership)
        in_group = (select(Post).join(Thread, Post.thread_id == Thread.id)
                    .join(Discussion, Thread.discussion_id == Discussion.id)
                    .where(Discussion.group_id == world.gid))
        listed = set(session.scalars(in_group.with_only_columns(Post.id).where(
            reading.visible_to(user, sees_everything=everything, now=utcnow()))))
        decided = set()
        for post in session.scalars(in_group):
            answered = thread_reading.has_answered(session, post.thread, user)
            peers = policy.may_see_peer_posts(user, membership, post.thread, answered)
            if policy.may_see_post(user, membership, post, sees_peers=peers):
                decided.add(post.id)
        assert listed == decided
        bodies = {p.body_md for p in session.scalars(select(Post).where(Post.id.in_(decided)))}
    if viewer == "ben":
        thread_ids = {t.id for t in world.discussion.threads[:2]}
        first, second = sorted(thread_ids)
        assert f"published in {second}" in bodies
        assert f"published in {first}" not in bodies
        assert f"pending in {second}" not in bodies
        assert "Prepared framing" not in bodies
        staged = {body.split()[1] for body in bodies if body.startswith("Staged")}
        assert staged == {"understand"}
    if viewer in ("mod", "admin"):
        assert "Prepared framing" in bodies and len(bodies) == len(decided)
        assert any(body.startswith("Staged stakeholders") for body in bodies)
