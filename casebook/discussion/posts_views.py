"""The thread page and writing posts: reading a thread, replying, editing,
deleting, history and new threads. Routes on the discussion blueprint."""

import secrets

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from casebook import fragments, policy
from casebook.db import get_session, utcnow
from casebook.deliberation import service as deliberation
from casebook.deliberation.forms import offer_tags
from casebook.discussion import presenters, service, thread_chrome, thread_reading
from casebook.discussion.access import (
    ViewerFacts,
    load_post,
    load_thread_page,
    sees_peers,
)
from casebook.discussion.forms import (
    EditPostForm,
    NewThreadForm,
    PostForm,
)
from casebook.discussion.models import (
    PENDING,
    PUBLISHED,
    Post,
    Thread,
)
from casebook.discussion.service import PostRefused
from casebook.discussion.views import (
    Labels,
    _discussion,
    _page_arg,
    _post_url,
    _status,
    bp,
)
from casebook.groups.access import load_group, require
from casebook.groups.models import Group, Membership
from casebook.ids import parse_id
from casebook.limits import posting
from casebook.markdown import render_markdown
from casebook.moderation import service as moderation
from casebook.moderation.screening import premoderation_hold
from casebook.polls import service as polls


def _compose(form_class, case, data: dict | None = None):
    """A form for writing Markdown: on GET, new with ``data``; on POST, as sent.

    Returns ``(form, preview_html, ready)``: ``preview_html`` when Preview was
    pressed on a valid form, ``ready`` when the valid text is to be saved.
    """
    if request.method == "GET":
        return offer_tags(form_class(formdata=None, data=data), case), None, False
    form = offer_tags(form_class(), case)
    if not form.validate_on_submit():
        return form, None, False
    if form.preview.data:
        return form, render_markdown(form.body.data), False
    return form, None, True


def _new_post_form(case, reply_to: Post) -> PostForm:
    form = offer_tags(PostForm(formdata=None), case)
    form.submission_key.data = secrets.token_urlsafe(24)
    form.reply_to.data = str(reply_to.id)
    return form


def _reply_target(thread: Thread, membership: Membership | None, raw,
                  peers: bool) -> Post | None:
    """The post being answered, if it is a published post of this thread the viewer sees."""
    post_id = parse_id(raw)
    if post_id is None:
        return None
    post = get_session().get(Post, post_id, options=[joinedload(Post.author)])
    if post is None or post.thread_id != thread.id or post.status != PUBLISHED:
        return None
    if not policy.may_see_post(current_user, membership, post, sees_peers=peers):
        return None
    return post


def _posting_notice(membership: Membership | None, thread: Thread, now) -> str | None:
    """Why the viewer has no reply form (None when they may post)."""
    if policy.may_post_in(current_user, membership, thread, now):
        return None
    if not policy.is_member(current_user, membership):
        return "visitor"
    if policy.is_archived(membership):
        return "archived"
    if membership.is_muted(now):
        return "muted"
    state = thread.discussion.state(now)
    if state != "open":
        return state
    return "locked"


def _post_list(group: Group, membership: Membership | None, thread: Thread, *, page: int,
               peers: bool, notice: str | None, now,
               tag: deliberation.Tag | None = None) -> dict:
    """The rendered posts of one thread page, from the fragment cache when the
    thread has not changed since they were rendered for a viewer like this one.
    With ``tag``, only the posts carrying it (``deliberation.tagged_page``).

    ``{"page", "pages", "posts": [[id, number, html]], "pinned": html | None,
    "answers"}``; moderation forms hold ``fragments.csrf_placeholder()``.
    """
    session = get_session()
    viewer = current_user._get_current_object()
    pages = thread_reading.last_page(thread)
    page = min(max(page, 1), pages)
    discussion = thread.discussion
    everything = policy.sees_everything(viewer, membership)
    # Everything that changes what this viewer sees of an unchanged thread.
    # The viewer's own id covers their own posts and their reported marks.
    key = fragments.key_for(
        # created_at too: SQLite may give a deleted thread's id to a new one.
        "thread", thread.id, thread.created_at, thread.version, page, viewer.get_id(),
        getattr(viewer, "is_admin", False), getattr(viewer, "timezone", None),
        membership and (membership.id, membership.role, membership.status),
        discussion.identity, discussion.post_first, discussion.state(now),
        group.archived_at is not None,
        peers, notice, everything, tag and tag.param,
    )
    cached = fragments.get(key)
    if cached is not None:
        return cached
    if tag is None:
        listing = thread_reading.thread_page(session, thread, viewer, page=page,
                                      include_unpublished_of_others=everything)
    else:
        listing = deliberation.tagged_page(session, thread, viewer, tag, page=page,
                                           sees_everything=everything, now=now)
        page, pages = listing.page, listing.pages
    posts = [p for p in listing.posts
             if policy.may_see_post(viewer, membership, p, sees_peers=peers)]
    labels = Labels(discussion, membership, listing.members)
    pinned = None
    if peers and thread.pinned_post_id and tag is None:
        pinned = session.scalar(select(Post).where(Post.id == thread.pinned_post_id)
                                .options(joinedload(Post.author)))
        if (pinned is None or pinned.thread_id != thread.id or pinned.status != PUBLISHED
                or not policy.may_see_post(viewer, membership, pinned, sees_peers=peers)):
            pinned = None
    reported = moderation.reported_by(session, viewer, [p.id for p in posts])
    shown = posts if pinned is None else [*posts, pinned]
    views = presenters.post_views(
        viewer, membership, shown,
        label_of=labels, sees_peers=peers, may_post=notice is None, reported=reported,
        now=now, tags=deliberation.tags_by_post(session, discussion.case,
                                                [p.id for p in shown]))
    mod = presenters.moderation_controls(session, viewer, membership, thread,
                                         fragments.csrf_placeholder())
    article = current_app.jinja_env.get_template("discussion/_post.html").module.post_article
    urls = presenters.PostUrls(group.id, thread.id)
    value = {
        "page": page, "pages": pages,
        "posts": [[v.post.id, v.post.number, str(article(v, urls, mod))]
                  for v in views[:len(posts)]],
        "pinned": str(article(views[-1], urls, mod, "pinned-")) if pinned else None,
        "answers": None if peers else thread_reading.published_count(session, thread),
    }
    fragments.put(key, value)
    return value


def _render_thread(group: Group, membership: Membership | None, thread: Thread,
                   facts: ViewerFacts, *, page: int, form: PostForm | None = None,
                   preview_html: str | None = None, reply_raw=None, status: int = 200):
    session = get_session()
    now = utcnow()
    discussion = thread.discussion
    peers = sees_peers(thread, membership)
    notice = _posting_notice(membership, thread, now)
    tag = deliberation.parse_filter(discussion.case, request.args.get("tag"))
    listing = _post_list(group, membership, thread, page=page, peers=peers, notice=notice,
                         now=now, tag=tag)
    posts, pinned = listing["posts"], listing["pinned"]
    mod = None
    if policy.may_moderate(current_user, membership):
        token, placeholder = generate_csrf(), fragments.csrf_placeholder()
        mod = {"token": token, "pinned_post_id": thread.pinned_post_id}
        posts = [[id_, number, html.replace(placeholder, token)]
                 for id_, number, html in posts]
        pinned = pinned and pinned.replace(placeholder, token)

    # Reading: remember how far the viewer got; mark where the new posts begin.
    new_from = None
    numbers = [number for _id, number, _html in posts if number is not None]
    # A filtered page skips posts, so it says nothing about how far one has read.
    if numbers and current_user.is_authenticated and tag is None:
        before = thread_reading.mark_read(session, thread, current_user, max(numbers),
                                   facts.read_before)
        if before:
            new_from = next((id_ for id_, number, _html in posts
                             if number is not None and number > before), None)

    hold = None
    if notice is None:
        hold = premoderation_hold(session, group, membership)
    previous_prompt, next_prompt = thread_reading.prompt_neighbours(
        session, thread, sees_everything=policy.sees_everything(current_user, membership),
        now=now)
    reply_to = None
    poll = None
    if notice is None and policy.may_answer_poll(current_user, membership, discussion, now):
        poll = polls.state_of(facts.poll, discussion, now)
    reply_fields = None
    if notice is None:
        if form is None:
            reply_to = _reply_target(thread, membership, request.args.get("reply_to"),
                                     peers)
            if reply_to is None:
                reply_fields = thread_chrome.blank_reply_fields(discussion.case)
            else:
                form = _new_post_form(discussion.case, reply_to)
        else:
            reply_to = _reply_target(thread, membership, reply_raw, peers)
            form.reply_to.data = str(reply_to.id) if reply_to else ""
        if form is not None:
            reply_fields = render_template("discussion/_reply_fields.html", form=form,
                                           preview_html=preview_html)
    return render_template(
        "discussion/thread.html", group=group, membership=membership, thread=thread,
        discussion=discussion, prompt=thread.prompt, state=discussion.state(now),
        posts=posts, pinned=pinned, page=listing["page"], pages=listing["pages"],
        sees_peers=peers, answers=listing["answers"],
        label_of=Labels(discussion, membership, {}), new_from=new_from, form=form,
        notice=notice, reply_to=reply_to, reply_fields=reply_fields,
        may_post=notice is None, hold=hold,
        previous_prompt=previous_prompt, next_prompt=next_prompt,
        released=policy.thread_is_released(thread, now),
        note_read=facts.note_read,
        key_facts_html=thread_chrome.key_facts(discussion.case), mod=mod, poll=poll,
        live_after=facts.live_after,
        tag=tag, tag_filter=thread_chrome.tag_filter(discussion.case, group.id, thread.id,
                                                     tag),
        role=deliberation.role_named(discussion, membership, facts.role_key)
        if deliberation.speaks_in_role(thread) else None,
    ), status


@bp.route("/groups/<id:group_id>/threads/<id:thread_id>")
def thread(group_id: int, thread_id: int):
    group, membership, found, facts = load_thread_page(group_id, thread_id)
    return _render_thread(group, membership, found, facts, page=_page_arg())


@bp.route("/groups/<id:group_id>/threads/<id:thread_id>/posts", methods=["POST"])
@posting
def reply(group_id: int, thread_id: int):
    group, membership, found, facts = load_thread_page(group_id, thread_id)
    require(policy.may_post_in(current_user, membership, found))
    session = get_session()
    form = offer_tags(PostForm(), found.discussion.case)
    last = thread_reading.last_page(found)
    if not form.validate_on_submit():
        return _render_thread(group, membership, found, facts, page=last, form=form,
                              reply_raw=form.reply_to.data, status=422)
    if form.preview.data:
        return _render_thread(group, membership, found, facts, page=last, form=form,
                              reply_raw=form.reply_to.data,
                              preview_html=render_markdown(form.body.data))
    reply_to = _reply_target(found, membership, form.reply_to.data,
                             sees_peers(found, membership))
    role = (deliberation.role_named(found.discussion, membership, facts.role_key)
            if deliberation.speaks_in_role(found) else None)
    try:
        outcome = service.submit_post(
            session, found, current_user, membership, form.body.data, reply_to=reply_to,
            submission_key=(form.submission_key.data or None),
            tags=form.tag_rows(found.discussion.case, role),
        )
    except PostRefused as refusal:
        form.body.errors.append(str(refusal))
        return _render_thread(group, membership, found, facts, page=last, form=form,
                              reply_raw=form.reply_to.data, status=422)
    if outcome.held:
        flash("Your post is waiting for a moderator's approval.", "info")
    elif not outcome.duplicate:
        flash("Your post is published.", "success")
    return redirect(_post_url(group.id, outcome.post))


@bp.route("/groups/<id:group_id>/posts/<id:post_id>")
def permalink(group_id: int, post_id: int):
    group, membership = load_group(group_id)
    post = load_post(group, membership, post_id)
    return redirect(_post_url(group.id, post))


@bp.route("/groups/<id:group_id>/posts/<id:post_id>/edit", methods=["GET", "POST"])
@posting
def edit_post(group_id: int, post_id: int):
    group, membership = load_group(group_id)
    post = load_post(group, membership, post_id)
    require(policy.may_edit_post(current_user, membership, post))
    case = post.thread.discussion.case
    chosen_lenses, chosen_stakeholders = deliberation.author_tags(get_session(), post)
    form, preview_html, ready = _compose(EditPostForm, case, {
        "body": post.body_md, "lenses": chosen_lenses, "stakeholders": chosen_stakeholders})
    if ready:
        was_pending = post.status == PENDING
        try:
            service.edit_post(get_session(), post, membership, form.body.data,
                              tags=form.tag_rows(case))
        except PostRefused as refusal:
            form.body.errors.append(str(refusal))
        else:
            if post.status == PENDING and not was_pending:
                flash("Your edit is waiting for a moderator's approval.", "info")
            else:
                flash("Your post is updated.", "success")
            return redirect(_post_url(group.id, post))
    labels = Labels(post.thread.discussion, membership, {})
    return render_template(
        "discussion/edit_post.html", group=group, membership=membership, post=post,
        thread=post.thread, discussion=post.thread.discussion, form=form,
        preview_html=preview_html, label_of=labels,
    ), _status(form)


@bp.route("/groups/<id:group_id>/posts/<id:post_id>/delete", methods=["GET", "POST"])
def delete_post(group_id: int, post_id: int):
    """GET asks "Delete this post?"; the POST from that page deletes it."""
    group, membership = load_group(group_id)
    post = load_post(group, membership, post_id)
    require(policy.may_delete_post(current_user, membership, post))
    if request.method == "POST":
        service.delete_post(get_session(), post)
        flash("Your post is deleted. The thread shows that you removed it.", "success")
        return redirect(_post_url(group.id, post))
    return render_template(
        "discussion/delete_post.html", group=group, membership=membership, post=post,
        thread=post.thread, discussion=post.thread.discussion,
    )


@bp.route("/groups/<id:group_id>/posts/<id:post_id>/history")
def history(group_id: int, post_id: int):
    group, membership = load_group(group_id)
    post = load_post(group, membership, post_id)
    require(policy.may_see_edit_history(current_user, membership))
    labels = Labels(post.thread.discussion, membership, {})
    return render_template(
        "discussion/history.html", group=group, membership=membership, post=post,
        thread=post.thread, discussion=post.thread.discussion,
        revisions=thread_reading.revisions(get_session(), post), label_of=labels,
    )


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/threads/new",
          methods=["GET", "POST"])
@posting
def new_thread(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_start_thread(current_user, membership, discussion))
    form, preview_html, ready = _compose(
        NewThreadForm, discussion.case, {"submission_key": secrets.token_urlsafe(24)})
    if ready:
        try:
            outcome = service.start_thread(
                get_session(), discussion, current_user, membership, form.title.data,
                form.body.data, submission_key=form.submission_key.data or None,
                tags=form.tag_rows(discussion.case),
            )
        except PostRefused as refusal:
            form.body.errors.append(str(refusal))
        else:
            if outcome.held:
                flash("Your thread is started. Your post is waiting for a "
                      "moderator's approval.", "info")
            else:
                flash("Your thread is started.", "success")
            return redirect(url_for(".thread", group_id=group.id,
                                    thread_id=outcome.post.thread_id))
    return render_template(
        "discussion/new_thread.html", group=group, membership=membership,
        discussion=discussion, form=form, preview_html=preview_html,
    ), _status(form)
