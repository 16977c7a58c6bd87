"""The before/after poll pages: answering, the group's counts, the facilitators'
results and their CSV download.

Every URL starts with the group and the discussion, loaded as the discussion
pages load them (404 for outsiders and for a discussion of another group).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casebook import policy
from casebook.db import get_session, utcnow
from casebook.discussion import export
from casebook.discussion.export_views import _download, _export_target
from casebook.discussion.reading import members_by_user
from casebook.discussion.thread_reading import author_label
from casebook.discussion.views import _discussion
from casebook.groups.access import load_group, require
from casebook.limits import exports
from casebook.polls import chart, service
from casebook.polls.forms import poll_form
from casebook.polls.models import AFTER, BEFORE, PHASES, SCALE

bp = Blueprint("polls", __name__)

PHASE_TITLES = {BEFORE: "Before the discussion", AFTER: "After the discussion"}


@bp.context_processor
def _helpers():
    return {"scale": SCALE, "phase_titles": PHASE_TITLES}


def _poll_target(group_id: int, discussion_id: int):
    group, membership = load_group(group_id)
    discussion = _discussion(group, membership, discussion_id)
    polled = service.positions(get_session(), discussion)
    if not polled:
        abort(404)  # the case has no statements to poll
    return group, membership, discussion, polled


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/poll/<any(before, after):phase>",
          methods=["GET", "POST"])
def answer(group_id: int, discussion_id: int, phase: str):
    group, membership, discussion, polled = _poll_target(group_id, discussion_id)
    session = get_session()
    now = utcnow()
    may_answer = policy.may_answer_poll(current_user, membership, discussion, now)
    poll = service.state(session, discussion, current_user, now)
    form, refusal, status = None, None, 200
    if request.method == "POST":
        # CSRFProtect has checked the token before this runs.
        require(may_answer)
        form = poll_form(polled)
        if form.validate_on_submit():
            try:
                service.save_answers(session, discussion, current_user, phase, form.given(), now)
            except service.PollRefused as refused:
                refusal, status, form = str(refused), 409, None
            else:
                flash("Your answers are saved. Here is where the group stands so far.",
                      "success")
                return redirect(url_for(".answer", group_id=group.id,
                                        discussion_id=discussion.id, phase=phase) + "#group")
        else:
            status = 422
    elif may_answer and poll.is_open(phase):
        form = poll_form(polled, service.answers(session, discussion, current_user, phase))
    counts = None
    if policy.may_see_poll_distribution(current_user, membership, poll.answered(phase)):
        counts = service.distribution(session, discussion, phase)
    return render_template(
        "polls/answer.html", group=group, membership=membership, discussion=discussion,
        phase=phase, polled=polled, poll=poll, form=form, refusal=refusal, counts=counts,
        may_answer=may_answer,
    ), status


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/poll/results")
def results(group_id: int, discussion_id: int):
    group, membership, discussion, polled = _poll_target(group_id, discussion_id)
    require(policy.may_see_poll_results(current_user, membership))
    session = get_session()
    before = service.distribution(session, discussion, BEFORE)
    after = service.distribution(session, discussion, AFTER)
    moved = service.shifts(session, discussion)
    answers = service.all_answers(session, discussion)
    members = members_by_user(session, discussion.group_id, (a.user_id for a in answers))
    real_names = policy.may_see_real_names(current_user, membership, discussion)
    reasons: dict[int, list] = {p.id: [] for p in polled}
    for a in answers:
        if a.reason and a.position_id in reasons:
            label = author_label(a.user, members.get(a.user_id), discussion,
                                 real_names=real_names)
            reasons[a.position_id].append((label, a))
    return render_template(
        "polls/results.html", group=group, membership=membership, discussion=discussion,
        polled=polled, before=before, after=after, moved=moved, reasons=reasons,
        charts={p.id: chart.before_after(before[p.id], after[p.id]) for p in polled},
        phases=PHASES,
    )


@bp.route("/groups/<id:group_id>/discussions/<id:discussion_id>/poll.csv")
@exports
def export_csv(group_id: int, discussion_id: int):
    group, discussion = _export_target(group_id, discussion_id)
    session = get_session()
    body = export.poll_csv(session, discussion)
    export.record(session, discussion, current_user, "poll results")
    return _download(body, group, discussion, "poll", "csv", "text/csv")
