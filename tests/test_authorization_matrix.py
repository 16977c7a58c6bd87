"""Every registered route, checked for every kind of visitor.

Adding a route without adding it here fails ``test_every_route_is_in_the_matrix``,
so nothing new ships unchecked. Each cell says what that visitor must get:

- ``OK``: the request is served (any status but 403, 404, 405 or a server error,
  and not a redirect to sign-in);
- ``LOGIN``: a redirect to the sign-in page;
- ``403`` or ``404``: refused. Group content answers 404 to anyone outside
  the group, so its existence never leaks.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from casebook.accounts.models import User
from casebook.cases.authoring import copy_to_group
from casebook.cases.service import get_case
from casebook.db import utcnow
from casebook.discussion.models import HIDDEN, PENDING
from casebook.groups import joining
from casebook.groups import service as groups
from casebook.groups.models import MODERATOR
from casebook.moderation.models import Report, WatchedWord
from tests.conftest import _empty_database, db, make_test_app, signed_in
from tests.factories import add_member, make_discussion, make_group, make_user, post

OK, LOGIN = "ok", "login"
ROLES = ("anonymous", "outsider", "participant", "moderator", "facilitator", "admin")


def row(anonymous, outsider, participant, moderator, facilitator, admin):
    return dict(zip(ROLES, (anonymous, outsider, participant, moderator, facilitator, admin),
                    strict=True))


PUBLIC = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK)
MEMBERS_READ = row(404, 404, OK, OK, OK, OK)
MEMBERS_ACT = row(404, 404, OK, OK, OK, 403)
AUTHOR_ONLY = row(404, 404, OK, 403, 403, 403)
MODERATORS_READ = row(404, 404, 403, OK, OK, OK)
MODERATORS_ACT = row(404, 404, 403, OK, OK, 403)
FACILITATORS = row(404, 404, 403, 403, OK, 403)


@dataclass
class Check:
    method: str
    expect: dict
    args: dict = field(default_factory=dict)  # URL arguments, named after world objects
    data: dict = field(default_factory=dict)


G = {"group_id": "group"}
MATRIX: dict[str, list[Check]] = {
    "static": [Check("GET", PUBLIC, {"filename": "=css/casebook.css"})],
    "main.home": [Check("GET", PUBLIC)],
    "main.support": [Check("GET", PUBLIC)],
    "main.favicon": [Check("GET", PUBLIC)],
    "cases.library": [Check("GET", PUBLIC)],
    "cases.content_note": [Check("GET", PUBLIC, {"slug": "=online-vigilantes"})],
    "cases.read": [Check("GET", PUBLIC, {"slug": "=online-vigilantes"})],
    # Copying needs a group to copy into: the outsider runs group B.
    "group_cases.copy": [
        Check("GET", row(404, OK, 404, 404, OK, 404), {"slug": "=online-vigilantes"}),
        Check("POST", row(404, OK, 404, 404, OK, 404), {"slug": "=online-vigilantes"}),
    ],
    "group_cases.index": [Check("GET", MEMBERS_READ, G)],
    "group_cases.read": [Check("GET", MEMBERS_READ, {**G, "slug": "=online-vigilantes"})],
    "group_cases.download": [Check("GET", MEMBERS_READ, {**G, "slug": "=online-vigilantes"})],
    "group_cases.create": [Check("GET", FACILITATORS, G), Check("POST", FACILITATORS, G)],
    "group_cases.edit": [
        Check("GET", FACILITATORS, {**G, "slug": "=online-vigilantes"}),
        Check("POST", FACILITATORS, {**G, "slug": "=online-vigilantes"}),
    ],
    "accounts.register": [Check("GET", PUBLIC), Check("POST", PUBLIC)],
    "accounts.sign_in": [Check("GET", PUBLIC), Check("POST", PUBLIC)],
    "accounts.sign_out": [Check("POST", PUBLIC)],
    "accounts.account": [Check("GET", SIGNED_IN)],
    "accounts.change_password": [Check("POST", SIGNED_IN)],
    "accounts.change_timezone": [Check("POST", SIGNED_IN, data={"timezone": "Europe/Paris"})],
    "accounts.change_display_name": [
        Check("POST", SIGNED_IN, data={"display_name": "A new name"}),
    ],
    "accounts.delete_account": [Check("POST", SIGNED_IN)],
    "accounts.download_data": [Check("POST", SIGNED_IN)],
    "accounts.forgot_password": [
        Check("GET", PUBLIC), Check("POST", PUBLIC, data={"email": "someone@example.org"}),
    ],
    # Only the emailed link opens these; a made-up token is not found for anyone.
    "accounts.reset_password": [
        Check("GET", row(*[404] * 6), {"token": "=made-up"}),
        Check("POST", row(*[404] * 6), {"token": "=made-up"}),
    ],
    "accounts.verify_email": [Check("GET", row(*[404] * 6), {"token": "=made-up"})],
    "accounts.send_verification": [Check("POST", SIGNED_IN)],
    "accounts.change_email_settings": [
        Check("POST", SIGNED_IN, data={"email_notifications": "off"}),
    ],
    "notifications.unsubscribe": [
        Check("GET", row(*[404] * 6), {"token": "=made-up"}),
        Check("POST", row(*[404] * 6), {"token": "=made-up"}),
    ],
    "groups.my_groups": [Check("GET", SIGNED_IN)],
    # Searches only the visitor's own groups (tests/search/test_visibility.py).
    "search.posts": [Check("GET", SIGNED_IN)],
    "notifications.index": [Check("GET", SIGNED_IN)],
    "notifications.read_all": [Check("POST", SIGNED_IN)],
    # Nobody in the world has a notification yet: an id is anyone's only when it is theirs.
    "notifications.open_one": [
        Check("POST", row(LOGIN, 404, 404, 404, 404, 404), {"notification_id": "=1"}),
    ],
    "groups.create": [Check("GET", SIGNED_IN), Check("POST", SIGNED_IN)],
    "groups.join_form": [Check("GET", SIGNED_IN), Check("POST", SIGNED_IN)],
    "groups.join_link": [
        Check("GET", SIGNED_IN, {"code": "code"}),
        Check("POST", SIGNED_IN, {"code": "code"}),
    ],
    "groups.overview": [Check("GET", MEMBERS_READ, G)],
    "groups.leave": [Check("POST", row(404, 404, OK, OK, OK, 403), G)],
    "groups.settings": [Check("GET", FACILITATORS, G), Check("POST", FACILITATORS, G)],
    "groups.deleted_member_posts": [
        Check("POST", FACILITATORS, G, {"deleted_member_posts": "remove"}),
    ],
    "groups.email_default": [Check("POST", FACILITATORS, G, {"email_default": "off"})],
    "groups.archive": [Check("POST", FACILITATORS, G)],
    "groups.unarchive": [Check("POST", FACILITATORS, G)],
    "groups.delete_group": [
        Check("GET", FACILITATORS, G),
        Check("POST", FACILITATORS, G, {"name": "main_group"}),
    ],
    "groups.rotate_code": [Check("POST", FACILITATORS, G)],
    "groups.disable_code": [Check("POST", FACILITATORS, G)],
    "groups.code_expiry": [Check("POST", FACILITATORS, G, {"expires_at": ""})],
    "groups.members": [Check("GET", row(404, 404, 403, OK, OK, OK), G)],
    "groups.change_role": [
        Check("POST", FACILITATORS, {**G, "member_id": "participant_membership"},
              {"role": "moderator"}),
    ],
    "groups.remove_member": [
        Check("POST", MODERATORS_ACT, {**G, "member_id": "participant_membership"}),
    ],
    "groups.readmit": [
        Check("POST", FACILITATORS, {**G, "member_id": "removed_membership"}),
    ],
    "groups.requests": [Check("GET", FACILITATORS, G)],
    "groups.decide_request": [
        Check("POST", FACILITATORS, {**G, "request_id": "join_request"},
              {"decision": "approve"}),
    ],
    "discussion.create": [Check("GET", FACILITATORS, G), Check("POST", FACILITATORS, G)],
    "discussion.view": [Check("GET", MEMBERS_READ, {**G, "discussion_id": "discussion"})],
    "discussion.edit": [
        Check("GET", FACILITATORS, {**G, "discussion_id": "discussion"}),
        Check("POST", FACILITATORS, {**G, "discussion_id": "discussion"}),
    ],
    "discussion.new_thread": [
        Check("GET", MEMBERS_ACT, {**G, "discussion_id": "discussion"}),
        Check("POST", MEMBERS_ACT, {**G, "discussion_id": "discussion"},
              {"title": "A new question", "body": "Why?"}),
    ],
    "discussion.open_next_stage": [
        Check("POST", FACILITATORS, {**G, "discussion_id": "staged_discussion"}),
    ],
    "discussion.thread": [Check("GET", MEMBERS_READ, {**G, "thread_id": "thread"})],
    "deliberation.roles": [
        Check("GET", FACILITATORS, {**G, "discussion_id": "discussion"}),
        Check("POST", FACILITATORS, {**G, "discussion_id": "discussion"}),
    ],
    "deliberation.assign_at_random": [
        Check("POST", FACILITATORS, {**G, "discussion_id": "discussion"}),
    ],
    "discussion.case": [Check("GET", MEMBERS_READ, {**G, "discussion_id": "discussion"})],
    # Acknowledging the content note changes nothing in the group, so a site
    # admin reading the group may do it too.
    "discussion.acknowledge_note": [
        Check("POST", MEMBERS_READ, {**G, "discussion_id": "discussion"}),
    ],
    "discussion.reply": [
        Check("POST", MEMBERS_ACT, {**G, "thread_id": "thread"}, {"body": "I agree."}),
    ],
    "discussion.permalink": [Check("GET", MEMBERS_READ, {**G, "post_id": "peer_post"})],
    "discussion.edit_post": [
        Check("GET", AUTHOR_ONLY, {**G, "post_id": "own_post"}),
        Check("POST", AUTHOR_ONLY, {**G, "post_id": "own_post"}, {"body": "Changed."}),
    ],
    "discussion.delete_post": [
        Check("GET", AUTHOR_ONLY, {**G, "post_id": "own_post"}),
        Check("POST", AUTHOR_ONLY, {**G, "post_id": "own_post"}),
    ],
    "discussion.history": [Check("GET", MODERATORS_READ, {**G, "post_id": "own_post"})],
    "discussion.activity": [Check("GET", MEMBERS_READ, G)],
    "discussion.participation_page": [
        Check("GET", MODERATORS_ACT, {**G, "discussion_id": "discussion"}),
    ],
    "discussion.export_markdown": [
        Check("GET", FACILITATORS, {**G, "discussion_id": "discussion"}),
    ],
    "discussion.export_csv": [Check("GET", FACILITATORS, {**G, "discussion_id": "discussion"})],
    "discussion.export_participation": [
        Check("GET", FACILITATORS, {**G, "discussion_id": "discussion"}),
    ],
    # Until a facilitator shares it, the debrief is the staff's: to everyone
    # else it does not exist, like a stage still to come.
    "debrief.debrief": [
        Check("GET", row(404, 404, 404, OK, OK, 404), {**G, "discussion_id": "closed_discussion"}),
        Check("POST", row(404, 404, 404, 403, OK, 404),
              {**G, "discussion_id": "closed_discussion"}, {"summary": "We agreed."}),
    ],
    "debrief.mark_key": [
        Check("POST", row(404, 404, 404, 404, OK, 404), {**G, "post_id": "peer_post"},
              {"key": "1"}),
    ],
    # Participants answer; the people who run the discussion and admins only read.
    "polls.answer": [
        Check("GET", MEMBERS_READ, {**G, "discussion_id": "discussion", "phase": "=before"}),
        Check("POST", row(404, 404, OK, 403, 403, 403),
              {**G, "discussion_id": "discussion", "phase": "=after"}),
    ],
    "polls.results": [Check("GET", MODERATORS_ACT, {**G, "discussion_id": "discussion"})],
    "polls.export_csv": [Check("GET", FACILITATORS, {**G, "discussion_id": "discussion"})],
    "moderation.queue": [Check("GET", MODERATORS_READ, G)],
    "moderation.log": [Check("GET", MODERATORS_READ, G)],
    "moderation.words": [
        Check("GET", MODERATORS_READ, G),
        Check("POST", MODERATORS_ACT, G, {"phrase": "Jane Doe", "action": "block"}),
    ],
    "moderation.delete_word": [Check("POST", MODERATORS_ACT, {**G, "word_id": "word"})],
    "moderation.approve": [Check("POST", MODERATORS_ACT, {**G, "post_id": "pending_post"})],
    "moderation.reject": [
        Check("POST", MODERATORS_ACT, {**G, "post_id": "pending_post"}, {"reason": "No."}),
    ],
    "moderation.hide": [
        Check("POST", MODERATORS_ACT, {**G, "post_id": "peer_post"}, {"reason": "Names."}),
    ],
    "moderation.restore": [Check("POST", MODERATORS_ACT, {**G, "post_id": "hidden_post"})],
    "moderation.clear_flag": [Check("POST", MODERATORS_ACT, {**G, "post_id": "peer_post"})],
    "moderation.report": [
        Check("GET", MEMBERS_ACT, {**G, "post_id": "peer_post"}),
        Check("POST", MEMBERS_ACT, {**G, "post_id": "peer_post"}, {"reason": "off-topic"}),
    ],
    "moderation.dismiss_report": [Check("POST", MODERATORS_ACT, {**G, "report_id": "report"})],
    "moderation.lock": [Check("POST", MODERATORS_ACT, {**G, "thread_id": "thread"})],
    "moderation.unlock": [Check("POST", MODERATORS_ACT, {**G, "thread_id": "thread"})],
    "moderation.pin": [
        Check("POST", MODERATORS_ACT, {**G, "thread_id": "thread"}, {"post_id": "peer_post"}),
    ],
    "moderation.unpin": [Check("POST", MODERATORS_ACT, {**G, "thread_id": "thread"})],
    "live.thread_stream": [Check("GET", MEMBERS_READ, {**G, "thread_id": "thread"})],
    "live.discussion_stream": [
        Check("GET", MEMBERS_READ, {**G, "discussion_id": "discussion"}),
    ],
    "live.projector_view": [Check("GET", FACILITATORS, {**G, "discussion_id": "discussion"})],
    "live.projector_stream": [
        Check("GET", FACILITATORS, {**G, "discussion_id": "discussion"}),
    ],
    "live.show_on_projector": [Check("POST", FACILITATORS, {**G, "post_id": "peer_post"})],
    "live.take_down": [Check("POST", FACILITATORS, {**G, "post_id": "peer_post"})],
    "live.reveal_poll": [
        Check("POST", FACILITATORS, {**G, "discussion_id": "discussion"}, {"show": "before"}),
    ],
    "moderation.mute": [
        Check("POST", MODERATORS_ACT, {**G, "member_id": "participant_membership"},
              {"duration": "1h", "reason": "Cool off."}),
    ],
    "moderation.unmute": [
        Check("POST", MODERATORS_ACT, {**G, "member_id": "participant_membership"}),
    ],
}


def build_world(session) -> dict:
    """Group A (under test) and group B (the outsider's), each with every kind of object."""
    from casebook.cases.loader import parse_case_file
    from casebook.cases.service import import_cases
    from tests.conftest import CASES_DIR

    import_cases(session, [parse_case_file(CASES_DIR / "online-vigilantes.md")])
    library_case = get_case(session, "online-vigilantes")
    users = {
        "facilitator": make_user(session, "Fay Facilitator"),
        "moderator": make_user(session, "Mo Moderator"),
        "participant": make_user(session, "Pat Participant"),
        "peer": make_user(session, "Pia Peer"),
        "outsider": make_user(session, "Otto Outsider"),
        "admin": make_user(session, "Ada Admin", admin=True),
        "requester": make_user(session, "Rex Requester"),
        "removed": make_user(session, "Rae Removed"),
    }
    world = {"users": users}
    for key, owner, member, peer in (
        ("", users["facilitator"], users["participant"], users["peer"]),
        ("other_", users["outsider"], users["requester"], users["admin"]),
    ):
        group = make_group(session, owner, name=f"{key or 'main_'}group", requires_approval=False)
        membership = add_member(session, group, member)
        add_member(session, group, peer)
        if not key:
            add_member(session, group, users["moderator"], MODERATOR)
        # Each group's own copy of the library case, under the library's slug.
        copy_to_group(session, library_case, group)
        removed = add_member(session, group, users["removed"])
        groups.remove_member(session, removed)
        discussion = make_discussion(session, group, owner, allow_member_threads=True)
        staged = make_discussion(session, group, owner, release="staged")
        closed = make_discussion(session, group, owner)
        closed.closes_at = utcnow() - timedelta(minutes=1)
        thread = discussion.threads[0]
        own = post(session, thread, member, "My first answer.")
        own_edit = own.body_md
        from casebook.discussion import service as discussions

        discussions.edit_post(session, own, membership, own_edit + " Edited.")
        peer_post = post(session, thread, peer, "A peer's answer.")
        peer_post.flagged = True
        pending = post(session, thread, peer, "Waiting for approval.")
        pending.status, pending.number = PENDING, None
        hidden = post(session, thread, peer, "Hidden answer.")
        hidden.status, hidden.moderation_reason = HIDDEN, "Too much detail."
        thread.pinned_post_id = peer_post.id
        report = Report(post_id=peer_post.id, reporter_id=member.id, reason="off-topic")
        word = WatchedWord(group_id=group.id, phrase=f"{key}secret name", action="hold")
        session.add_all([report, word])
        session.commit()
        world.update({
            f"{key}group": group.id, f"{key}discussion": discussion.id,
            f"{key}staged_discussion": staged.id, f"{key}closed_discussion": closed.id,
            f"{key}thread": thread.id, f"{key}own_post": own.id,
            f"{key}peer_post": peer_post.id, f"{key}pending_post": pending.id,
            f"{key}hidden_post": hidden.id, f"{key}report": report.id, f"{key}word": word.id,
            f"{key}participant_membership": membership.id, f"{key}code": group.join_code,
            f"{key}removed_membership": removed.id,
        })
    for key, requester in (("", users["requester"]), ("other_", users["participant"])):
        request_group = session.get(groups.Group, world[f"{key}group"])
        request_group.requires_approval = True
        session.commit()
        joining.join(session, request_group, requester)
        world[f"{key}join_request"] = joining.pending_requests(session, request_group)[0].id
        request_group.requires_approval = False
        session.commit()
    return world


@pytest.fixture
def matrix_app(database_url, tmp_instance):
    # CSRF has its own tests; here it would only hide the answer under test.
    # Live streams replay the log and end, rather than wait for more.
    app = make_test_app(database_url, WTF_CSRF_ENABLED=False, LIVE_STREAM_SECONDS=0)
    yield app
    _empty_database(app.extensions["casebook.engine"])
    app.extensions["casebook.engine"].dispose()
    from casebook.extensions import limiter

    limiter.reset()


def fresh_world(app) -> dict:
    _empty_database(app.extensions["casebook.engine"])
    with db(app) as session:
        return build_world(session)


def client_as(app, world, role):
    if role == "anonymous":
        return app.test_client()
    with db(app) as session:
        account = session.get(User, world["users"][role].id)
    return signed_in(app, account)


def url_for_check(app, endpoint, check, world, prefix=""):
    from flask import url_for

    values = {}
    for name, source in check.args.items():
        if source.startswith("="):
            values[name] = source[1:]
        elif name == "group_id":
            values[name] = world["group"]  # always group A's URL
        else:
            values[name] = world[prefix + source]
    with app.test_request_context():
        return url_for(endpoint, **values)


def outcome(response) -> object:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/account/sign-in" in location:
        return LOGIN
    if response.status_code in (403, 404, 405):
        return response.status_code
    assert response.status_code < 500, f"server error {response.status_code}"
    return OK


def test_every_route_is_in_the_matrix(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(registered - set(MATRIX))
    stale = sorted(set(MATRIX) - registered)
    assert not missing, f"routes without an authorization check: {missing}"
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        checked = {check.method for check in MATRIX[rule.endpoint]}
        assert methods == checked, f"{rule.endpoint}: methods {methods}, checked {checked}"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_each_visitor_as_the_matrix_says(matrix_app, endpoint):
    world = fresh_world(matrix_app)
    for check in MATRIX[endpoint]:
        # Refusals first: they change nothing, so one world serves them all.
        # An allowed state change gets a fresh world for the next visitor.
        order = sorted(ROLES, key=lambda role: check.expect[role] == OK)
        for role in order:
            url = url_for_check(matrix_app, endpoint, check, world)
            data = {key: world.get(value, value) for key, value in check.data.items()}
            client = client_as(matrix_app, world, role)
            response = client.open(url, method=check.method, data=data)
            got = outcome(response)
            assert got == check.expect[role], (
                f"{check.method} {url} as {role}: expected {check.expect[role]}, got {got} "
                f"({response.status_code})"
            )
            if check.method != "GET" and got == OK:
                world = fresh_world(matrix_app)


GROUP_OBJECT_ARGS = {"discussion_id", "thread_id", "post_id", "member_id", "request_id",
                     "report_id", "word_id"}


@pytest.mark.parametrize("endpoint", sorted(
    e for e, checks in MATRIX.items()
    if any(set(c.args) & GROUP_OBJECT_ARGS for c in checks)
))
def test_another_groups_object_under_this_groups_url_is_not_found(matrix_app, endpoint):
    """Guessing ids: group B's objects addressed through group A, by group A's facilitator."""
    world = fresh_world(matrix_app)
    for check in MATRIX[endpoint]:
        url = url_for_check(matrix_app, endpoint, check, world, prefix="other_")
        client = client_as(matrix_app, world, "facilitator")
        data = {key: world.get("other_" + value, value) for key, value in check.data.items()}
        response = client.open(url, method=check.method, data=data)
        assert response.status_code == 404, f"{check.method} {url}: {response.status_code}"
