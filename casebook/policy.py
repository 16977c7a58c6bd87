"""The one place that answers "may this user do this here?".

Views call these before acting and templates call them (as ``policy``) to
decide what to show, so a control is never offered that the server refuses.
Each function takes the user (possibly anonymous) first and answers with a
plain bool. Group questions also take the user's membership of that group
(None for outsiders), which the view has loaded once.

Group content is private: a view that gets False from ``may_view_group``
answers 404, so outsiders cannot even learn that a group or post exists.
"""

from datetime import datetime

from flask_login import AnonymousUserMixin

from casebook.accounts.models import User
from casebook.db import utcnow
from casebook.discussion.models import (
    HIDDEN,
    PENDING,
    PUBLISHED,
    REJECTED,
    Discussion,
    Post,
    Thread,
)
from casebook.groups.models import FACILITATOR, MODERATOR, Membership
from casebook.groups.models import REMOVED as REMOVED_MEMBER

AnyUser = User | AnonymousUserMixin


# Site-wide -----------------------------------------------------------------

def is_signed_in(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


def is_site_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_admin)


def may_read_case_library(user: AnyUser) -> bool:
    # The library is published material written for teaching; reading it needs
    # no account, so an invited newcomer can preview a case before joining.
    return True


def may_manage_account(user: AnyUser, account: User) -> bool:
    return bool(user.is_authenticated and user.id == account.id)


def may_create_group(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


# Groups --------------------------------------------------------------------

def _active(membership: Membership | None) -> bool:
    return membership is not None and membership.is_active


def is_member(user: AnyUser, membership: Membership | None) -> bool:
    return bool(user.is_authenticated) and _active(membership)


def is_archived(membership: Membership | None) -> bool:
    # The view loaded the group first, so ``membership.group`` costs no query.
    return membership is not None and membership.group.archived


def _member_may_change(user: AnyUser, membership: Membership | None) -> bool:
    """An archived group is read-only for everyone: whatever a member could change
    there (posts, reports, moderation, memberships, discussions) waits until a
    facilitator unarchives it."""
    return is_member(user, membership) and not is_archived(membership)


def is_facilitator(user: AnyUser, membership: Membership | None) -> bool:
    return is_member(user, membership) and membership.role == FACILITATOR


def is_moderator(user: AnyUser, membership: Membership | None) -> bool:
    """Facilitators and moderators: the people who keep the discussion safe."""
    return is_member(user, membership) and membership.role in (FACILITATOR, MODERATOR)


def may_view_group(user: AnyUser, membership: Membership | None) -> bool:
    # Site administrators may look at any group to give support; they do
    # not take part or moderate unless they are members.
    return is_member(user, membership) or is_site_admin(user)


def may_manage_group(user: AnyUser, membership: Membership | None) -> bool:
    """Settings, join code, roles, discussions, exports: facilitators only."""
    return is_facilitator(user, membership)


def may_change_group(user: AnyUser, membership: Membership | None) -> bool:
    """What a facilitator changes inside the group (discussions, roles, re-admissions):
    not while the group is archived."""
    return may_manage_group(user, membership) and not is_archived(membership)


def may_author_case(user: AnyUser, membership: Membership | None) -> bool:
    """Writing, editing and copying in the group's own cases: its facilitators,
    while the group is not archived. Reading them is ``may_view_group``."""
    return may_change_group(user, membership)


def may_archive_or_delete_group(user: AnyUser, membership: Membership | None) -> bool:
    """Archiving, unarchiving and deleting stay open to facilitators of an archived group."""
    return is_facilitator(user, membership)


def may_moderate(user: AnyUser, membership: Membership | None) -> bool:
    return is_moderator(user, membership) and not is_archived(membership)


def may_read_moderation_log(user: AnyUser, membership: Membership | None) -> bool:
    return is_moderator(user, membership) or is_site_admin(user)


def may_view_moderation(user: AnyUser, membership: Membership | None) -> bool:
    """The queue and watched-words pages: moderators act there, site admins only look."""
    return is_moderator(user, membership) or is_site_admin(user)


def may_view_members(user: AnyUser, membership: Membership | None) -> bool:
    """The member list maps names to pseudonyms, so participants don't see it;
    moderators need it to mute or remove, site admins to give support."""
    return is_moderator(user, membership) or is_site_admin(user)


def may_change_role(user: AnyUser, membership: Membership | None, target: Membership) -> bool:
    return may_change_group(user, membership) and target.is_active


def may_remove_member(user: AnyUser, membership: Membership | None, target: Membership) -> bool:
    """Facilitators remove anyone but themselves; moderators remove participants."""
    if not target.is_active or membership is None or target.id == membership.id:
        return False
    if is_archived(membership):
        return False
    if is_facilitator(user, membership):
        return True
    return is_moderator(user, membership) and target.role not in (FACILITATOR, MODERATOR)


def may_readmit_member(user: AnyUser, membership: Membership | None, target: Membership) -> bool:
    """Only facilitators let a removed person back in."""
    return may_change_group(user, membership) and target.status == REMOVED_MEMBER


def may_mute_member(user: AnyUser, membership: Membership | None, target: Membership) -> bool:
    return may_remove_member(user, membership, target)


def is_muted(target: Membership, now: datetime | None = None) -> bool:
    """Whether a member is muted now (templates have no clock of their own)."""
    return target.is_muted(now or utcnow())


def may_leave_group(user: AnyUser, membership: Membership | None,
                    facilitator_count: int) -> bool:
    """Anyone may leave, except the last facilitator (the group would be unmanaged)."""
    if not is_member(user, membership):
        return False
    return not (membership.role == FACILITATOR and facilitator_count <= 1)


# Discussions and threads ---------------------------------------------------

def discussion_is_open(discussion: Discussion, now: datetime | None = None) -> bool:
    return discussion.state(now or utcnow()) == "open"


def may_view_discussion(user: AnyUser, membership: Membership | None,
                        discussion: Discussion, now: datetime | None = None) -> bool:
    if not may_view_group(user, membership):
        return False
    # A scheduled discussion is visible to the people preparing it only.
    if discussion.state(now or utcnow()) == "scheduled":
        return is_moderator(user, membership) or is_site_admin(user)
    return True


def thread_is_released(thread: Thread, now: datetime | None = None) -> bool:
    """Whether the thread's stage is open: always, unless the discussion opens
    stage by stage and the thread is a prompt of a stage not opened yet."""
    discussion = thread.discussion
    if not discussion.staged or thread.prompt_id is None:
        return True
    return discussion.stage_is_open(thread.prompt.stage, now or utcnow())


def may_view_thread(user: AnyUser, membership: Membership | None, thread: Thread,
                    now: datetime | None = None) -> bool:
    """A prompt of a stage not yet open is hidden from participants like any
    hidden object (404); the people running the discussion see it ahead.
    ``discussion.reading.released`` is the same rule as a query condition."""
    now = now or utcnow()
    if not may_view_discussion(user, membership, thread.discussion, now):
        return False
    return thread_is_released(thread, now) or sees_everything(user, membership)


def may_open_next_stage(user: AnyUser, membership: Membership | None,
                        discussion: Discussion) -> bool:
    return discussion.staged and may_change_group(user, membership)


def may_post_in(user: AnyUser, membership: Membership | None, thread: Thread,
                now: datetime | None = None) -> bool:
    now = now or utcnow()
    if not _member_may_change(user, membership) or membership.is_muted(now):
        return False
    if not discussion_is_open(thread.discussion, now):
        return False
    return not thread.locked


def may_start_thread(user: AnyUser, membership: Membership | None, discussion: Discussion,
                     now: datetime | None = None) -> bool:
    now = now or utcnow()
    if not _member_may_change(user, membership) or membership.is_muted(now):
        return False
    if not discussion_is_open(discussion, now):
        return False
    return discussion.allow_member_threads or is_moderator(user, membership)


def sees_everything(user: AnyUser, membership: Membership | None) -> bool:
    """Moderators act on every post of their group; site admins look (read-only)."""
    return is_moderator(user, membership) or is_site_admin(user)


def may_see_peer_posts(user: AnyUser, membership: Membership | None, thread: Thread,
                       has_answered: bool) -> bool:
    """Post-first: participants see peers' answers only after giving their own."""
    discussion = thread.discussion
    if not discussion.post_first or thread.prompt_id is None:
        return True
    if discussion.post_first_stage and thread.prompt.stage != discussion.post_first_stage:
        return True
    if sees_everything(user, membership):
        return True
    return has_answered


def may_see_real_names(user: AnyUser, membership: Membership | None,
                       discussion: Discussion) -> bool:
    if not discussion.pseudonymous:
        return True
    return is_moderator(user, membership) or is_site_admin(user)


# Posts ---------------------------------------------------------------------

def may_see_post(user: AnyUser, membership: Membership | None, post: Post, *,
                 sees_peers: bool) -> bool:
    """The one rule for whether a post appears to the viewer at all, on any page
    that shows, quotes or names it. The group was checked by the caller.

    ``sees_peers`` is ``may_see_peer_posts`` for the post's thread (whether the
    viewer answered needs the database, so the caller asks it). A post that
    appears may still show a placeholder instead of its text: see
    ``may_see_post_body``. ``discussion.reading.visible_to`` is the same rule
    as a query condition, for lists.
    """
    if not may_view_thread(user, membership, post.thread):
        return False
    if user.is_authenticated and post.author_id == user.id:
        return True
    # Pending and rejected posts exist only for their author and the moderators.
    if post.status in (PENDING, REJECTED) and not sees_everything(user, membership):
        return False
    return sees_peers


def may_see_post_body(user: AnyUser, membership: Membership | None, post: Post) -> bool:
    """Whether the text of a post that appears is shown; otherwise a placeholder says why."""
    if post.status == PUBLISHED:
        return True
    if post.status in (PENDING, HIDDEN, REJECTED):
        own = user.is_authenticated and post.author_id == user.id
        return own or sees_everything(user, membership)
    return False


def may_edit_post(user: AnyUser, membership: Membership | None, post: Post,
                  now: datetime | None = None) -> bool:
    if not (is_member(user, membership) and post.author_id == user.id):
        return False
    if post.status not in (PUBLISHED, PENDING):
        return False
    return may_post_in(user, membership, post.thread, now)


def may_delete_post(user: AnyUser, membership: Membership | None, post: Post) -> bool:
    return (_member_may_change(user, membership) and post.author_id == user.id
            and post.status in (PUBLISHED, PENDING, HIDDEN))


def may_report_post(user: AnyUser, membership: Membership | None, post: Post) -> bool:
    return (_member_may_change(user, membership) and post.status == PUBLISHED
            and post.author_id != user.id)


def may_see_edit_history(user: AnyUser, membership: Membership | None) -> bool:
    return is_moderator(user, membership) or is_site_admin(user)


def may_see_teaching_notes(user: AnyUser, membership: Membership | None) -> bool:
    """The session plan, pitfalls and safeguarding notes are for the people who
    run the discussion; participants would read the pitfalls as answers."""
    return is_moderator(user, membership)


def may_use_projector(user: AnyUser, membership: Membership | None) -> bool:
    """The projector view shows the room what the facilitator chooses: facilitators only."""
    return is_facilitator(user, membership)


def may_reveal_poll_on_projector(user: AnyUser, membership: Membership | None) -> bool:
    """Showing the group's poll counts (never who answered what) to the room."""
    return may_use_projector(user, membership) and not is_archived(membership)


def may_put_on_projector(user: AnyUser, membership: Membership | None, post: Post) -> bool:
    """Only published posts go on screen; a hidden one leaves it by itself."""
    return (may_use_projector(user, membership) and not is_archived(membership)
            and post.status == PUBLISHED)


def may_take_off_projector(user: AnyUser, membership: Membership | None, post: Post) -> bool:
    return may_use_projector(user, membership) and not is_archived(membership)


def may_export(user: AnyUser, membership: Membership | None) -> bool:
    return may_manage_group(user, membership)


def may_view_participation(user: AnyUser, membership: Membership | None) -> bool:
    """Each member's figures, with real names beside pseudonyms: the people who run
    the group only. Participants never see others' figures; a site admin who is
    not a member is refused, as on the other facilitator pages."""
    return is_moderator(user, membership)


# Debrief ---------------------------------------------------------------------

def may_mark_key_contributions(user: AnyUser, membership: Membership | None) -> bool:
    """Facilitators choose the posts the debrief shows as key contributions."""
    return may_change_group(user, membership)


def may_write_debrief(user: AnyUser, membership: Membership | None, discussion: Discussion,
                      now: datetime | None = None) -> bool:
    """A debrief looks back: facilitators write it once the discussion has closed."""
    return (may_change_group(user, membership)
            and discussion.state(now or utcnow()) == "closed")


def may_view_debrief(user: AnyUser, membership: Membership | None, shared: bool) -> bool:
    """Facilitators and moderators see the debrief as soon as it exists; the rest
    of the group once a facilitator shares it. A site admin visiting the group
    sees what its participants see."""
    if is_moderator(user, membership):
        return True
    return shared and may_view_group(user, membership)


# Position polls ------------------------------------------------------------

def may_answer_poll(user: AnyUser, membership: Membership | None, discussion: Discussion,
                    now: datetime | None = None) -> bool:
    """Participants answer while the discussion is open; the people who run it do
    not (their answers would be counted with the group's). Whether a phase is
    open for this person is ``casebook.polls.service.PollState``."""
    if not _member_may_change(user, membership) or is_moderator(user, membership):
        return False
    return discussion_is_open(discussion, now or utcnow())


def may_see_poll_distribution(user: AnyUser, membership: Membership | None,
                              answered: bool) -> bool:
    """The group's counts for a phase (no names): a participant only after giving
    their own answers to it, so the group's view does not sway theirs."""
    return sees_everything(user, membership) or (is_member(user, membership) and answered)


def may_see_poll_results(user: AnyUser, membership: Membership | None) -> bool:
    """Before and after side by side, shifts and each person's reasons (named as
    ``may_see_real_names`` allows): the people who run the group, as for
    participation figures."""
    return is_moderator(user, membership)
# Deliberation: tags, coverage and stakeholder roles -------------------------

def may_see_coverage(user: AnyUser, membership: Membership | None) -> bool:
    """Posts per lens and stakeholder is a steering tool for the people running
    the discussion. Participants do not see it: it would tell those who have
    not yet answered a post-first prompt which lines others took, and invites
    writing to fill a gap rather than from what one thinks."""
    return is_moderator(user, membership)


def may_assign_roles(user: AnyUser, membership: Membership | None) -> bool:
    """Handing out stakeholder roles changes the discussion: facilitators only."""
    return may_change_group(user, membership)
