"""Moderation: the queue, reports, post and thread actions, mutes, watched words, the log.

Every URL starts with the group, so ``load_group`` answers 404 to outsiders
(and to guessed ids) before anything else; members who are not moderators
get 403 on every action, before the object is even looked up, so they learn
nothing about posts they cannot see.
"""

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
from wtforms.fields import SelectChoice

from casebook import policy
from casebook.db import get_session
from casebook.discussion.access import load_post
from casebook.discussion.models import PUBLISHED
from casebook.groups.access import active_member_or_404, load_group, require
from casebook.ids import parse_id, parse_page
from casebook.limits import reporting
from casebook.moderation import screening, service, waiting
from casebook.moderation.forms import (
    ActionForm,
    LogFilterForm,
    MuteForm,
    OptionalReasonForm,
    PinForm,
    ReasonForm,
    ReportForm,
    WatchedWordForm,
)
from casebook.moderation.models import WATCH_ACTIONS
from casebook.security import safe_next

bp = Blueprint("moderation", __name__, url_prefix="/groups/<id:group_id>")


def _post_url(group_id: int, post) -> str:
    return url_for("discussion.permalink", group_id=group_id, post_id=post.id)


def _thread_url(group_id: int, thread) -> str:
    return url_for("discussion.thread", group_id=group_id, thread_id=thread.id)


def _back(default: str):
    """Redirect to the form's ``return_to`` (a path on this site) or ``default``."""
    return redirect(safe_next(request.form.get("return_to")) or default)


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return errors[0] if isinstance(errors[0], str) else "Please try again."
    return "Please try again."


def _act(form, default: str, change):
    """Check ``form``, then ``change()``: it makes the change and returns what to
    tell the moderator, or raises ModerationError, whose text is shown instead.
    Either way, back to where the form was (``return_to``) or to ``default``."""
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return _back(default)
    try:
        done = change()
    except service.ModerationError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return _back(default)


def _moderator():
    """The group and membership for an action: 404 outsiders, 403 non-moderators."""
    group, membership = load_group(request.view_args["group_id"])
    require(policy.may_moderate(current_user, membership))
    return group, membership


def _or_404(found):
    """What a ``service.*_in_group`` lookup found; 404 when it found nothing."""
    if found is None:
        abort(404)
    return found


# Pages ---------------------------------------------------------------------

@bp.route("/moderation")
def queue(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_view_moderation(current_user, membership))
    session = get_session()
    return render_template(
        "moderation/queue.html", group=group, membership=membership,
        queue=waiting.queue(session, group), counts=waiting.queue_counts(session, group),
        can_act=policy.may_moderate(current_user, membership),
        durations=[(k, v[0]) for k, v in service.MUTE_DURATIONS.items()],
    )


@bp.route("/moderation/words", methods=["GET", "POST"])
def words(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_view_moderation(current_user, membership))
    form = WatchedWordForm()
    status = 200
    if request.method == "POST":
        require(policy.may_moderate(current_user, membership))
        if form.validate_on_submit():
            try:
                word = service.add_word(get_session(), group, current_user,
                                        form.phrase.data, form.action.data)
            except service.DuplicateWord:
                form.phrase.errors.append("Already watched")
            except service.ModerationError as exc:
                form.phrase.errors.append(str(exc))
            else:
                flash(f"“{word.phrase}” is now watched: "
                      f"{WATCH_ACTIONS[word.action].lower()}.", "success")
                return redirect(url_for("moderation.words", group_id=group.id))
        status = 422
    return render_template(
        "moderation/words.html", group=group, membership=membership, form=form,
        words=screening.watched_words(get_session(), group.id), actions=WATCH_ACTIONS,
        counts=waiting.queue_counts(get_session(), group),
        can_act=policy.may_moderate(current_user, membership),
    ), status


@bp.route("/moderation/words/<id:word_id>/delete", methods=["POST"])
def delete_word(group_id: int, word_id: int):
    group, _membership = _moderator()
    session = get_session()
    word = _or_404(service.word_in_group(session, group.id, word_id))
    form = ActionForm()
    if form.validate_on_submit():
        phrase = word.phrase
        service.remove_word(session, word, current_user)
        flash(f"“{phrase}” is no longer watched.", "success")
    return redirect(url_for("moderation.words", group_id=group.id))


@bp.route("/moderation/log")
def log(group_id: int):
    group, membership = load_group(group_id)
    require(policy.may_read_moderation_log(current_user, membership))
    session = get_session()
    form = LogFilterForm(request.args)
    action = request.args.get("action", "").strip()[:40] or None
    user_id = parse_id(request.args.get("member"))
    page = parse_page(request.args.get("page"))
    result = waiting.log_page(session, group, page=page, action=action, user_id=user_id)
    form.action.choices = [SelectChoice("", "All actions")] + [
        SelectChoice(a, a.capitalize()) for a in result.actions
    ]
    form.member.choices = [SelectChoice("", "Everyone")] + [
        SelectChoice(str(m.user_id), m.user.display_name) for m in result.members
    ]
    filters = {k: v for k, v in (("action", action), ("member", user_id)) if v}
    return render_template(
        "moderation/log.html", group=group, membership=membership, form=form, result=result,
        filters=filters, counts=waiting.queue_counts(get_session(), group),
    )


# Reports -------------------------------------------------------------------

@bp.route("/posts/<id:post_id>/report", methods=["GET", "POST"])
@reporting
def report(group_id: int, post_id: int):
    group, membership = load_group(group_id)
    session = get_session()
    post = load_post(group, membership, post_id)
    require(policy.may_report_post(current_user, membership, post))
    form = ReportForm()
    earlier = service.report_by(session, post, current_user)
    if earlier is None and form.validate_on_submit():
        try:
            service.report(session, post, current_user, form.reason.data, form.detail.data or "")
        except service.AlreadyReported as refusal:  # sent twice at once
            earlier = refusal.report
        else:
            flash("Thanks. A moderator will look at this post.", "success")
            return redirect(_post_url(group.id, post))
    if earlier is not None:
        # One report per member per post: the page says when they sent it.
        status = 409 if request.method == "POST" else 200
    else:
        status = 422 if form.errors else 200
    return render_template(
        "moderation/report.html", group=group, membership=membership, post=post, form=form,
        earlier=earlier, back_url=_post_url(group.id, post),
    ), status


@bp.route("/reports/<id:report_id>/dismiss", methods=["POST"])
def dismiss_report(group_id: int, report_id: int):
    group, _membership = _moderator()
    session = get_session()
    found = _or_404(service.report_in_group(session, group.id, report_id))
    form = OptionalReasonForm()

    def change() -> str:
        count = service.dismiss_reports(session, found.post, current_user, form.reason.data or "")
        return "Report dismissed." if count == 1 else f"{count} reports dismissed."

    return _act(form, url_for("moderation.queue", group_id=group.id), change)


# Posts ---------------------------------------------------------------------

def _post_action(group_id: int, post_id: int, form_class, act, done: str):
    group, _membership = _moderator()
    post = _or_404(service.post_in_group(get_session(), group.id, post_id))
    form = form_class()

    def change() -> str:
        act(get_session(), post, form)
        return done

    return _act(form, _post_url(group.id, post), change)


@bp.route("/posts/<id:post_id>/approve", methods=["POST"])
def approve(group_id: int, post_id: int):
    return _post_action(group_id, post_id, ActionForm,
                        lambda s, p, f: service.approve(s, p, current_user),
                        "Post approved and published.")


@bp.route("/posts/<id:post_id>/reject", methods=["POST"])
def reject(group_id: int, post_id: int):
    return _post_action(group_id, post_id, ReasonForm,
                        lambda s, p, f: service.reject(s, p, current_user, f.reason.data),
                        "Post rejected. Its author can see your reason.")


@bp.route("/posts/<id:post_id>/hide", methods=["POST"])
def hide(group_id: int, post_id: int):
    return _post_action(group_id, post_id, ReasonForm,
                        lambda s, p, f: service.hide(s, p, current_user, f.reason.data),
                        "Post hidden. Its author can see your reason.")


@bp.route("/posts/<id:post_id>/restore", methods=["POST"])
def restore(group_id: int, post_id: int):
    return _post_action(group_id, post_id, OptionalReasonForm,
                        lambda s, p, f: service.restore(s, p, current_user, f.reason.data or ""),
                        "Post restored.")


@bp.route("/posts/<id:post_id>/clear-flag", methods=["POST"])
def clear_flag(group_id: int, post_id: int):
    return _post_action(group_id, post_id, ActionForm,
                        lambda s, p, f: service.clear_flag(s, p, current_user),
                        "Flag cleared; the post stays up.")


# Threads -------------------------------------------------------------------

def _thread_action(group_id: int, thread_id: int, act, done: str):
    group, _membership = _moderator()
    thread = _or_404(service.thread_in_group(get_session(), group.id, thread_id))
    form = OptionalReasonForm()

    def change() -> str:
        act(get_session(), thread, form.reason.data or "")
        return done

    return _act(form, _thread_url(group.id, thread), change)


@bp.route("/threads/<id:thread_id>/lock", methods=["POST"])
def lock(group_id: int, thread_id: int):
    return _thread_action(group_id, thread_id,
                          lambda s, t, r: service.lock(s, t, current_user, r),
                          "Thread locked. Nobody can post in it until it is unlocked.")


@bp.route("/threads/<id:thread_id>/unlock", methods=["POST"])
def unlock(group_id: int, thread_id: int):
    return _thread_action(group_id, thread_id,
                          lambda s, t, r: service.unlock(s, t, current_user, r),
                          "Thread unlocked.")


@bp.route("/threads/<id:thread_id>/pin", methods=["POST"])
def pin(group_id: int, thread_id: int):
    group, _membership = _moderator()
    session = get_session()
    thread = _or_404(service.thread_in_group(session, group.id, thread_id))
    form = PinForm()
    post_id = parse_id(form.post_id.data)
    if not form.validate_on_submit() or post_id is None:
        abort(404)  # no post named: nothing in this thread to pin
    post = service.post_in_group(session, group.id, post_id)
    if post is None or post.thread_id != thread.id or post.status != PUBLISHED:
        abort(404)
    service.pin(session, thread, post, current_user)
    flash("Post pinned to the top of the thread.", "success")
    return _back(_post_url(group.id, post))


@bp.route("/threads/<id:thread_id>/unpin", methods=["POST"])
def unpin(group_id: int, thread_id: int):
    group, _membership = _moderator()
    thread = _or_404(service.thread_in_group(get_session(), group.id, thread_id))
    form = ActionForm()
    default = _thread_url(group.id, thread)
    if form.validate_on_submit():
        try:
            service.unpin(get_session(), thread, current_user)
        except service.ModerationError as exc:
            flash(str(exc), "error")
        else:
            flash("Post unpinned.", "success")
    return _back(default)


# Members -------------------------------------------------------------------

def _mute_target(member_id: int):
    """The group and the member to mute or unmute, if the moderator may."""
    group, membership = _moderator()
    target = active_member_or_404(group, member_id)
    require(policy.may_mute_member(current_user, membership, target))
    return group, target


@bp.route("/members/<id:member_id>/mute", methods=["POST"])
def mute(group_id: int, member_id: int):
    group, target = _mute_target(member_id)
    form = MuteForm()

    def change() -> str:
        service.mute(get_session(), target, current_user, form.duration.data, form.reason.data)
        title = service.MUTE_DURATIONS[form.duration.data][0]
        return f"{target.user.display_name} is muted for {title}. They can still read."

    return _act(form, url_for("moderation.queue", group_id=group.id), change)


@bp.route("/members/<id:member_id>/unmute", methods=["POST"])
def unmute(group_id: int, member_id: int):
    group, target = _mute_target(member_id)
    form = OptionalReasonForm()

    def change() -> str:
        service.unmute(get_session(), target, current_user, form.reason.data or "")
        return f"{target.user.display_name} can post again."

    return _act(form, url_for("moderation.queue", group_id=group.id), change)
