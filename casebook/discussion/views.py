"""Discussions, threads and posts as members see and write them.

Every URL starts with the group: ``load_group`` answers 404 to outsiders
(and guessed ids) first, then each object is checked to belong to that
group (404 otherwise) before the policy decides what the viewer may do.
"""

import secrets
from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
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
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields import SelectChoice

from casebook import fragments, policy
from casebook.cases.models import STAGE_TITLES, STAGES, Case
from casebook.cases.service import key_facts_html, list_cases
from casebook.db import get_session, utcnow
from casebook.discussion import export, participation, presenters, reading, service
from casebook.discussion.access import load_post, load_thread, sees_peers
from casebook.discussion.forms import (
    DiscussionForm,
    DiscussionSettingsForm,
    EditPostForm,
    NewThreadForm,
    PostForm,
)
from casebook.discussion.models import (
    IDENTITY_MODES,
    PENDING,
    PUBLISHED,
    Discussion,
    Post,
    Thread,
)
from casebook.discussion.service import PostRefused
from casebook.groups.access import load_group, require
from casebook.groups.models import Group, Membership
from casebook.ids import parse_id, parse_page
from casebook.limits import exports, posting
from casebook.markdown import render_markdown
from casebook.moderation import service as moderation
from casebook.security import safe_next
from casebook.timefmt import from_local_input, to_local_input, zone_for

bp = Blueprint("discussion", __name__)

MEMBER_THREADS = "Threads started by members"


@bp.context_processor
def _helpers():
    return {
        "stage_titles": STAGE_TITLES,
        "plain": lambda text: service.excerpt(text, 2_000),
        "excerpt": service.excerpt,
    }


def _page_arg() -> int:
    return parse_page(request.args.get("page"))


def _status(form) -> int:
    return 422 if form.errors else 200


# Loading objects, with the group's privacy applied -------------------------

def _discussion(group: Group, membership: Membership | None, discussion_id: int) -> Discussion:
    discussion = get_session().get(
        Discussion, discussion_id, options=[joinedload(Discussion.case)]
    )
    if (discussion is None or discussion.group_id != group.id
            or not policy.may_view_discussion(current_user, membership, discussion)):
        abort(404)
    return discussion


class Labels:
    """Author labels for one discussion and viewer; looks up a missing membership once."""

    def __init__(self, discussion: Discussion, membership: Membership | None,
                 members: dict[int, Membership]):
        self.discussion = discussion
        self.members = dict(members)
        self.real_names = policy.may_see_real_names(current_user, membership, discussion)
        self._labels: dict[tuple, service.AuthorLabel] = {}

    def __call__(self, post: Post) -> service.AuthorLabel:
        known = self._labels.get((post.author_id, post.author_role))
        if known is not None:
            return known
        if post.author_id is not None and post.author_id not in self.members:
            self.members.update(reading.members_by_user(
                get_session(), self.discussion.group_id, [post.author_id]))
        label = service.author_label(post.author, self.members.get(post.author_id),
                                     self.discussion, real_names=self.real_names,
                                     role=post.author_role)
        # A page names the same few authors many times.
        self._labels[(post.author_id, post.author_role)] = label
        return label


def _post_url(group_id: int, post: Post) -> str:
    return (url_for(".thread", group_id=group_id, thread_id=post.thread_id,
                    page=service.page_of(post)) + f"#post-{post.id}")


# Creating and changing a discussion ------------------------------------------

def _settings_from(form, discussion_case_title: str | None = None) -> dict:
    return {
        "title": (form.title.data or "").strip() or discussion_case_title,
        "opens_at": from_local_input(form.opens_at.data, current_user),
        "closes_at": from_local_input(form.closes_at.data, current_user),
        "post_first": form.post_first.data,
        "post_first_stage": form.post_first_stage.data or None,
        "identity": form.identity.data,
        "allow_member_threads": form.allow_member_threads.data,
    }


# Prompts a group's defaults leave out when a discussion starts: the policing
# frameworks, unless the group keeps them (police training, or a custom group).
POLICE_LENSES = ("ndm", "code-of-ethics")


def _default_prompts(group: Group, case: Case) -> list[int]:
    return [p.id for p in case.prompts if not p.retired
            and (group.default_police_prompts or p.lens not in POLICE_LENSES)]


@bp.route("/groups/<id:group_id>/discussions/new", methods=["GET", "POST"])
def create(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_change_group(current_user, membership))
    session = get_session()
    cases = list_cases(session)
    defaults = {"identity": group.default_identity, "release": group.default_release,
                "post_first": group.default_post_first,
                "post_first_stage": group.default_post_first_stage or ""}
    if request.method == "GET":
        form = DiscussionForm(formdata=None, data=defaults)
        chosen = next((c for c in cases if c.slug == request.args.get("case")), None)
        if chosen is not None:
            form.case_id.data = chosen.id
    else:
        form = DiscussionForm()
    form.case_id.choices = [SelectChoice(c.id, c.title) for c in cases]
    case = next((c for c in cases if c.id == form.case_id.data), None)
    if case is not None and not form.shows_prompts_of(case.id):
        # First sight of this case's prompts: ticked as the group's defaults say.
        form.prompts.data = _default_prompts(group, case)
        form.prompts_for.data = str(case.id)
        if request.method == "POST" and not form.choose_prompts.data:
            # The case changed after its prompts were shown, or the page had
            # none: start with the defaults rather than another case's ticks.
            form.prompts_for.data = ""
    if not form.choose_prompts.data and form.validate_on_submit():
        try:
            discussion = service.create_discussion(
                session, group, case, current_user, **_settings_from(form),
                prompt_ids=form.prompts.data or None,
                release=form.release.data or group.default_release,
                stage_opens_at={stage: from_local_input(value, current_user)
                                for stage, value in form.stage_times().items()},
            )
        except ValueError as refusal:
            form.prompts.errors = [*form.prompts.errors, str(refusal)]
        else:
            flash(f"The discussion “{discussion.title}” is ready, with one thread per "
                  "prompt.", "success")
            return redirect(url_for(".view", group_id=group.id, discussion_id=discussion.id))
    if case is not None:
        form.prompts_for.data = str(case.id)
    chosen_ids = set(form.prompts.data or [])
    return render_template("discussion/settings.html", form=form, group=group,
                           membership=membership, discussion=None,
                           prompt_stages=case.current_prompts_by_stage() if case else [],
                           chosen_prompts=chosen_ids), _status(form)


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/edit",
          methods=["GET", "POST"])
def edit(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_change_group(current_user, membership))
    if request.method == "GET":
        form = DiscussionSettingsForm(formdata=None, data={
            "title": discussion.title,
            "opens_at": to_local_input(discussion.opens_at, current_user),
            "closes_at": to_local_input(discussion.closes_at, current_user),
            "post_first": discussion.post_first,
            "post_first_stage": discussion.post_first_stage or "",
            "identity": discussion.identity,
            "allow_member_threads": discussion.allow_member_threads,
        })
    else:
        form = DiscussionSettingsForm()
        if form.validate_on_submit():
            service.update_discussion(get_session(), discussion,
                                      **_settings_from(form, discussion.case.title))
            flash("The discussion's settings are saved.", "success")
            return redirect(url_for(".view", group_id=group.id, discussion_id=discussion.id))
    return render_template("discussion/settings.html", form=form, group=group,
                           membership=membership, discussion=discussion), _status(form)


# The discussion page ---------------------------------------------------------

@dataclass
class Section:
    """One stage of the discussion page, with how many of its prompts the viewer answered."""

    stage: str
    title: str
    threads: list[Thread]
    answered: int
    open: bool = True


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>")
def view(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    session = get_session()
    discussion = session.get(Discussion, discussion_id, options=[
        joinedload(Discussion.case),
        selectinload(Discussion.threads).joinedload(Thread.prompt),
    ])
    if (discussion is None or discussion.group_id != group.id
            or not policy.may_view_discussion(current_user, membership, discussion)):
        abort(404)
    now = utcnow()
    sees_everything = policy.sees_everything(current_user, membership)
    by_stage: dict[str, list[Thread]] = {stage: [] for stage in STAGES}
    member_threads = []
    for thread in discussion.threads:
        if thread.prompt is None:
            member_threads.append(thread)
        elif sees_everything or policy.thread_is_released(thread, now):
            by_stage.setdefault(thread.prompt.stage, []).append(thread)
    answered = service.answered_threads(session, discussion, current_user)
    stages = service.stage_statuses(discussion, now)
    closed = {s.stage for s in stages if not s.open}
    sections = [Section(stage, STAGE_TITLES.get(stage, stage), threads,
                        sum(t.id in answered for t in threads), stage not in closed)
                for stage, threads in by_stage.items() if threads]
    return render_template(
        "discussion/view.html", group=group, membership=membership, discussion=discussion,
        case=discussion.case, state=discussion.state(now), sections=sections,
        stages=stages, next_stage=service.next_stage(discussion, now) if stages else None,
        member_threads=member_threads, member_threads_title=MEMBER_THREADS,
        counts=service.thread_counts(session, discussion),
        unread=reading.unread_by_thread(
            session, discussion, current_user, sees_everything=sees_everything, now=now),
        answered=answered, tracks_progress=policy.is_member(current_user, membership),
        identity_modes=IDENTITY_MODES,
        may_start_thread=policy.may_start_thread(current_user, membership, discussion, now),
        teaching_notes=(discussion.case.teaching_notes
                        if policy.may_see_teaching_notes(current_user, membership) else None),
        prompt_texts={t.prompt.key: t.prompt.text_md for t in discussion.threads if t.prompt},
    )


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/stages/next",
          methods=["POST"])
def open_next_stage(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_open_next_stage(current_user, membership, discussion))
    # CSRFProtect has checked the token before this runs.
    opened = service.open_next_stage(get_session(), discussion, current_user)
    if opened is None:
        flash("Every stage is already open.", "info")
    else:
        flash(f"“{STAGE_TITLES.get(opened, opened)}” is open: participants can see and "
              "answer its prompts now.", "success")
    return redirect(url_for(".view", group_id=group.id, discussion_id=discussion.id))


# The case, inside the group ----------------------------------------------------

@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/case")
def case(group_id: int, discussion_id: int):
    """The discussion's case, with a way back to the discussion.

    The content note comes first, once per discussion: until the member
    acknowledges it the page shows only the note.
    """
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    return render_template(
        "discussion/case.html", group=group, membership=membership, discussion=discussion,
        case=discussion.case,
        note_read=service.has_acknowledged_note(get_session(), discussion, current_user),
    )


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/case/note",
          methods=["POST"])
def acknowledge_note(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    # CSRFProtect has checked the token before this runs.
    service.acknowledge_note(get_session(), discussion, current_user)
    return redirect(safe_next(request.form.get("next")) or url_for(
        ".case", group_id=group.id, discussion_id=discussion.id))


# A thread --------------------------------------------------------------------

def _compose(form_class, data: dict | None = None):
    """A form for writing Markdown: on GET, new with ``data``; on POST, as sent.

    Returns ``(form, preview_html, ready)``: ``preview_html`` when Preview was
    pressed on a valid form, ``ready`` when the valid text is to be saved.
    """
    if request.method == "GET":
        return form_class(formdata=None, data=data), None, False
    form = form_class()
    if not form.validate_on_submit():
        return form, None, False
    if form.preview.data:
        return form, render_markdown(form.body.data), False
    return form, None, True


def _new_post_form(reply_to: Post | None = None) -> PostForm:
    form = PostForm(formdata=None)
    form.submission_key.data = secrets.token_urlsafe(24)
    form.reply_to.data = str(reply_to.id) if reply_to else ""
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
               peers: bool, notice: str | None, now) -> dict:
    """The rendered posts of one thread page, from the fragment cache when the
    thread has not changed since they were rendered for a viewer like this one.

    ``{"page", "pages", "posts": [[id, number, html]], "pinned": html | None,
    "answers"}``; moderation forms hold ``fragments.csrf_placeholder()``.
    """
    session = get_session()
    viewer = current_user._get_current_object()
    pages = service.last_page(thread)
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
        peers, notice, everything,
    )
    cached = fragments.get(key)
    if cached is not None:
        return cached
    listing = service.thread_page(session, thread, viewer, page=page,
                                  include_unpublished_of_others=everything)
    posts = [p for p in listing.posts
             if policy.may_see_post(viewer, membership, p, sees_peers=peers)]
    labels = Labels(discussion, membership, listing.members)
    pinned = None
    if peers and thread.pinned_post_id:
        pinned = session.scalar(select(Post).where(Post.id == thread.pinned_post_id)
                                .options(joinedload(Post.author)))
        if (pinned is None or pinned.thread_id != thread.id or pinned.status != PUBLISHED
                or not policy.may_see_post(viewer, membership, pinned, sees_peers=peers)):
            pinned = None
    reported = moderation.reported_by(session, viewer, [p.id for p in posts])
    views = presenters.post_views(
        viewer, membership, posts if pinned is None else [*posts, pinned],
        label_of=labels, sees_peers=peers, may_post=notice is None, reported=reported,
        now=now)
    mod = None
    if policy.may_moderate(viewer, membership):
        mod = {"token": fragments.csrf_placeholder(),
               "pinned_post_id": thread.pinned_post_id}
    article = current_app.jinja_env.get_template("discussion/_post.html").module.post_article
    urls = presenters.PostUrls(group.id, thread.id)
    value = {
        "page": page, "pages": pages,
        "posts": [[v.post.id, v.post.number, str(article(v, urls, mod))]
                  for v in views[:len(posts)]],
        "pinned": str(article(views[-1], urls, mod, "pinned-")) if pinned else None,
        "answers": None if peers else service.published_count(session, thread),
    }
    fragments.put(key, value)
    return value


def _render_thread(group: Group, membership: Membership | None, thread: Thread, *,
                   page: int, form: PostForm | None = None, preview_html: str | None = None,
                   reply_raw=None, status: int = 200):
    session = get_session()
    now = utcnow()
    discussion = thread.discussion
    peers = sees_peers(thread, membership)
    notice = _posting_notice(membership, thread, now)
    listing = _post_list(group, membership, thread, page=page, peers=peers, notice=notice,
                         now=now)
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
    if numbers and current_user.is_authenticated:
        before = service.mark_read(session, thread, current_user, max(numbers))
        if before:
            new_from = next((id_ for id_, number, _html in posts
                             if number is not None and number > before), None)

    hold = None
    if notice is None:
        hold = moderation.premoderation_hold(session, group, membership)
    previous_prompt, next_prompt = service.prompt_neighbours(
        session, thread, sees_everything=policy.sees_everything(current_user, membership),
        now=now)
    reply_to = None
    if notice is None:
        if form is None:
            reply_to = _reply_target(thread, membership, request.args.get("reply_to"),
                                     peers)
            form = _new_post_form(reply_to)
        else:
            reply_to = _reply_target(thread, membership, reply_raw, peers)
            form.reply_to.data = str(reply_to.id) if reply_to else ""
    else:
        form = None
    return render_template(
        "discussion/thread.html", group=group, membership=membership, thread=thread,
        discussion=discussion, prompt=thread.prompt, state=discussion.state(now),
        posts=posts, pinned=pinned, page=listing["page"], pages=listing["pages"],
        sees_peers=peers, answers=listing["answers"],
        label_of=Labels(discussion, membership, {}), new_from=new_from, form=form,
        notice=notice, reply_to=reply_to, preview_html=preview_html,
        may_post=notice is None, hold=hold,
        previous_prompt=previous_prompt, next_prompt=next_prompt,
        released=policy.thread_is_released(thread, now),
        note_read=service.has_acknowledged_note(session, discussion, current_user),
        key_facts_html=key_facts_html(discussion.case), mod=mod,
    ), status


@bp.route("/groups/<id:group_id>/threads/<id:thread_id>")
def thread(group_id: int, thread_id: int):
    group, membership = load_group(group_id)
    found = load_thread(group, membership, thread_id)
    return _render_thread(group, membership, found, page=_page_arg())


@bp.route("/groups/<id:group_id>/threads/<id:thread_id>/posts", methods=["POST"])
@posting
def reply(group_id: int, thread_id: int):
    group, membership = load_group(group_id)
    found = load_thread(group, membership, thread_id)
    require(policy.may_post_in(current_user, membership, found))
    session = get_session()
    form = PostForm()
    last = service.last_page(found)
    if not form.validate_on_submit():
        return _render_thread(group, membership, found, page=last, form=form,
                              reply_raw=form.reply_to.data, status=422)
    if form.preview.data:
        return _render_thread(group, membership, found, page=last, form=form,
                              reply_raw=form.reply_to.data,
                              preview_html=render_markdown(form.body.data))
    reply_to = _reply_target(found, membership, form.reply_to.data,
                             sees_peers(found, membership))
    try:
        outcome = service.submit_post(
            session, found, current_user, membership, form.body.data, reply_to=reply_to,
            submission_key=(form.submission_key.data or None),
        )
    except PostRefused as refusal:
        form.body.errors.append(str(refusal))
        return _render_thread(group, membership, found, page=last, form=form,
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


# Editing, deleting, history --------------------------------------------------

@bp.route("/groups/<id:group_id>/posts/<id:post_id>/edit", methods=["GET", "POST"])
@posting
def edit_post(group_id: int, post_id: int):
    group, membership = load_group(group_id)
    post = load_post(group, membership, post_id)
    require(policy.may_edit_post(current_user, membership, post))
    form, preview_html, ready = _compose(EditPostForm, {"body": post.body_md})
    if ready:
        was_pending = post.status == PENDING
        try:
            service.edit_post(get_session(), post, membership, form.body.data)
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
        revisions=service.revisions(get_session(), post), label_of=labels,
    )


# Member-started threads -------------------------------------------------------

@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/threads/new",
          methods=["GET", "POST"])
@posting
def new_thread(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_start_thread(current_user, membership, discussion))
    form, preview_html, ready = _compose(
        NewThreadForm, {"submission_key": secrets.token_urlsafe(24)})
    if ready:
        try:
            outcome = service.start_thread(
                get_session(), discussion, current_user, membership, form.title.data,
                form.body.data, submission_key=form.submission_key.data or None,
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


# Group activity ----------------------------------------------------------------

@bp.route("/groups/<id:group_id>/activity")
def activity(group_id: int):
    group, membership = load_group(group_id)
    sees_everything = policy.sees_everything(current_user, membership)
    listing = reading.activity(get_session(), group, current_user, page=_page_arg(),
                               sees_everything=sees_everything)
    real_names = {}

    def label_of(post: Post) -> service.AuthorLabel:
        discussion = post.thread.discussion
        if discussion.id not in real_names:
            real_names[discussion.id] = policy.may_see_real_names(
                current_user, membership, discussion)
        return service.author_label(post.author, listing.members.get(post.author_id),
                                    discussion, real_names=real_names[discussion.id],
                                    role=post.author_role)

    return render_template(
        "discussion/activity.html", group=group, membership=membership, listing=listing,
        posts=listing.posts, page=listing.page, pages=listing.pages, label_of=label_of,
    )


# Who took part ------------------------------------------------------------------

@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/participation")
def participation_page(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_view_participation(current_user, membership))
    sort = request.args.get("sort", participation.DEFAULT_SORT)
    if sort not in participation.SORT_KEYS:
        sort = participation.DEFAULT_SORT
    direction = request.args.get("dir", participation.default_direction(sort))
    if direction not in ("asc", "desc"):
        direction = participation.default_direction(sort)
    figures = participation.participation(get_session(), group, discussion)
    return render_template(
        "discussion/participation.html", group=group, membership=membership,
        discussion=discussion, figures=figures,
        columns=participation.headings(figures.prompts_total),
        rows=participation.sort_rows(figures.rows, sort, direction),
        sort=sort, direction=direction, default_direction=participation.default_direction,
    )


# Exports ------------------------------------------------------------------------

def _download(body: str, group: Group, discussion: Discussion, kind: str, ext: str,
              mimetype: str) -> Response:
    response = Response(body, content_type=f"{mimetype}; charset=utf-8")
    # Dated in the facilitator's own timezone: the day they made it.
    today = utcnow().astimezone(zone_for(current_user)).date()
    response.headers["Content-Disposition"] = export.content_disposition(
        group, discussion, kind, ext, today)
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_target(group_id: int, discussion_id: int) -> tuple[Group, Discussion]:
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    require(policy.may_export(current_user, membership))
    return group, discussion


def _include_hidden() -> bool:
    """Hidden posts' text only when the export form's box was ticked on purpose."""
    return request.args.get("include_hidden") == "1"


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/transcript.md")
@exports
def export_markdown(group_id: int, discussion_id: int):
    group, discussion = _export_target(group_id, discussion_id)
    session, include_hidden = get_session(), _include_hidden()
    body = export.transcript_markdown(session, group, discussion, include_hidden=include_hidden)
    export.record(session, discussion, current_user, "transcript (markdown)",
                  include_hidden=include_hidden)
    return _download(body, group, discussion, "transcript", "md", "text/markdown")


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/transcript.csv")
@exports
def export_csv(group_id: int, discussion_id: int):
    group, discussion = _export_target(group_id, discussion_id)
    session, include_hidden = get_session(), _include_hidden()
    body = export.transcript_csv(session, discussion, include_hidden=include_hidden)
    export.record(session, discussion, current_user, "transcript (csv)",
                  include_hidden=include_hidden)
    return _download(body, group, discussion, "transcript", "csv", "text/csv")


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/participation.csv")
@exports
def export_participation(group_id: int, discussion_id: int):
    group, discussion = _export_target(group_id, discussion_id)
    session = get_session()
    body = export.participation_csv(session, group, discussion)
    export.record(session, discussion, current_user, "participation summary")
    return _download(body, group, discussion, "participation", "csv", "text/csv")
