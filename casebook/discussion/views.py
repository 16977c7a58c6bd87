"""Discussions, threads and posts as members see and write them.

Every URL starts with the group: ``load_group`` answers 404 to outsiders
(and guessed ids) first, then each object is checked to belong to that
group (404 otherwise) before the policy decides what the viewer may do.
"""

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields import SelectChoice

from casebook import policy
from casebook.cases.models import STAGE_TITLES, STAGES, Case
from casebook.cases.service import cases_for_group
from casebook.db import get_session, utcnow
from casebook.debrief import service as debrief
from casebook.deliberation import service as deliberation
from casebook.discussion import reading, service, thread_reading
from casebook.discussion.forms import (
    DiscussionForm,
    DiscussionSettingsForm,
)
from casebook.discussion.models import (
    IDENTITY_MODES,
    Discussion,
    Post,
    Thread,
)
from casebook.groups.access import load_group, require
from casebook.groups.models import Group, Membership
from casebook.ids import parse_page
from casebook.live import events as live
from casebook.polls import service as polls
from casebook.security import safe_next
from casebook.timefmt import from_local_input, to_local_input

bp = Blueprint("discussion", __name__)

MEMBER_THREADS = "Threads started by members"


@bp.context_processor
def _helpers():
    return {
        "stage_titles": STAGE_TITLES,
        "plain": lambda text: service.excerpt(text, 2_000),
        "excerpt": service.excerpt,
    }


def page_links(page: int, pages: int, endpoint: str, args: dict) -> dict[int, str]:
    """The pages a pagination bar prints, a link or a gap, in order, with their URLs:
    the first two, the last two and two either side of ``page``. A thread of
    10,000 posts has 200 pages; looping over all of them cost more than the rest
    of the bar, and so did a ``url_for`` per link, so one URL is built and the
    others follow its pattern (``page`` is its first query argument)."""
    wanted = {1, 2, pages - 1, pages, *range(page - 2, page + 3)}
    head, _, tail = url_for(endpoint, page=0, **args).partition("?page=0")
    return {n: f"{head}?page={n}{tail}" for n in sorted(wanted) if 1 <= n <= pages}


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
        self._labels: dict[tuple, thread_reading.AuthorLabel] = {}

    def __call__(self, post: Post) -> thread_reading.AuthorLabel:
        known = self._labels.get((post.author_id, post.author_role))
        if known is not None:
            return known
        if post.author_id is not None and post.author_id not in self.members:
            self.members.update(reading.members_by_user(
                get_session(), self.discussion.group_id, [post.author_id]))
        label = thread_reading.author_label(post.author, self.members.get(post.author_id),
                                     self.discussion, real_names=self.real_names,
                                     role=post.author_role)
        # A page names the same few authors many times.
        self._labels[(post.author_id, post.author_role)] = label
        return label


def _post_url(group_id: int, post: Post) -> str:
    return (url_for(".thread", group_id=group_id, thread_id=post.thread_id,
                    page=thread_reading.page_of(post)) + f"#post-{post.id}")


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
    cases = cases_for_group(session, group.id)
    defaults = {"identity": group.default_identity, "release": group.default_release,
                "post_first": group.default_post_first,
                "post_first_stage": group.default_post_first_stage or ""}
    if request.method == "GET":
        form = DiscussionForm(formdata=None, data=defaults)
        # The group's own case by that name before the library's (its page links here).
        chosen = next((c for c in reversed(cases) if c.slug == request.args.get("case")), None)
        if chosen is not None:
            form.case_id.data = chosen.id
    else:
        form = DiscussionForm()
    form.case_id.choices = [
        SelectChoice(c.id, f"{c.title} (this group's own case)" if c.group_id else c.title)
        for c in cases]
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
    answered = thread_reading.answered_threads(session, discussion, current_user)
    stages = service.stage_statuses(discussion, now)
    closed = {s.stage for s in stages if not s.open}
    sections = [Section(stage, STAGE_TITLES.get(stage, stage), threads,
                        sum(t.id in answered for t in threads), stage not in closed)
                for stage, threads in by_stage.items() if threads]
    return render_template(
        "discussion/view.html", group=group, membership=membership, discussion=discussion,
        live_after=live.last_id(session, discussion.id), case=discussion.case,
        state=discussion.state(now), sections=sections,
        stages=stages, next_stage=service.next_stage(discussion, now) if stages else None,
        member_threads=member_threads, member_threads_title=MEMBER_THREADS,
        counts=thread_reading.thread_counts(session, discussion),
        unread=reading.unread_by_thread(
            session, discussion, current_user, sees_everything=sees_everything, now=now),
        answered=answered, tracks_progress=policy.is_member(current_user, membership),
        identity_modes=IDENTITY_MODES,
        may_start_thread=policy.may_start_thread(current_user, membership, discussion, now),
        teaching_notes=(discussion.case.teaching_notes
                        if policy.may_see_teaching_notes(current_user, membership) else None),
        prompt_texts={t.prompt.key: t.prompt.text_md for t in discussion.threads if t.prompt},
        debrief=debrief.debrief_for(session, discussion),
        poll=polls.state(session, discussion, current_user, now),
        may_answer_poll=policy.may_answer_poll(current_user, membership, discussion, now),
        coverage=(deliberation.coverage(session, discussion)
                  if policy.may_see_coverage(current_user, membership) else None),
        role=(deliberation.role_of(session, discussion, membership)
              if by_stage.get(deliberation.ROLE_STAGE) else None),
        role_stage=deliberation.ROLE_STAGE,
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
        note_read=thread_reading.has_acknowledged_note(get_session(), discussion, current_user),
    )


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/case/note",
          methods=["POST"])
def acknowledge_note(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    # CSRFProtect has checked the token before this runs.
    thread_reading.acknowledge_note(get_session(), discussion, current_user)
    return redirect(safe_next(request.form.get("next")) or url_for(
        ".case", group_id=group.id, discussion_id=discussion.id))


# A thread --------------------------------------------------------------------


# Editing, deleting, history --------------------------------------------------


# Member-started threads -------------------------------------------------------


# Group activity ----------------------------------------------------------------

@bp.route("/groups/<id:group_id>/activity")
def activity(group_id: int):
    group, membership = load_group(group_id)
    sees_everything = policy.sees_everything(current_user, membership)
    listing = reading.activity(get_session(), group, current_user, page=_page_arg(),
                               sees_everything=sees_everything)
    real_names = {}

    def label_of(post: Post) -> thread_reading.AuthorLabel:
        discussion = post.thread.discussion
        if discussion.id not in real_names:
            real_names[discussion.id] = policy.may_see_real_names(
                current_user, membership, discussion)
        return thread_reading.author_label(post.author, listing.members.get(post.author_id),
                                    discussion, real_names=real_names[discussion.id],
                                    role=post.author_role)

    return render_template(
        "discussion/activity.html", group=group, membership=membership, listing=listing,
        posts=listing.posts, page=listing.page, pages=listing.pages, label_of=label_of,
    )


# The routes of the thread page and of the downloads live in their own modules
# on this blueprint; importing them here registers them with it.
from casebook.discussion import export_views, posts_views  # noqa: E402, F401
