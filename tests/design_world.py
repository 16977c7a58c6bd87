"""The main pages of Casebook with something in every table, shared by the layout
tests (test client) and the design walk (browser)."""

from flask import url_for

from casebook.discussion.models import Discussion
from casebook.groups.models import Membership
from casebook.moderation import service as moderation
from casebook.polls import service as polls
from casebook.polls.models import BEFORE, PollAnswer
from tests.test_authorization_matrix import build_world

GROUP = {"group_id": "group"}

# (page name, endpoint, URL arguments named after world keys, or "=value" literals)
PUBLIC_PAGES = [
    ("home", "main.home", {}),
    ("support", "main.support", {}),
    ("library", "cases.library", {}),
    ("content note", "cases.content_note", {"slug": "=online-vigilantes"}),
    ("case", "cases.read", {"slug": "=online-vigilantes"}),
    ("sign in", "accounts.sign_in", {}),
    ("register", "accounts.register", {}),
]
FACILITATOR_PAGES = [
    ("my groups", "groups.my_groups", {}),
    ("group", "groups.overview", GROUP),
    ("members", "groups.members", GROUP),
    ("join requests", "groups.requests", GROUP),
    ("settings", "groups.settings", GROUP),
    ("discussion", "discussion.view", {**GROUP, "discussion_id": "discussion"}),
    ("thread", "discussion.thread", {**GROUP, "thread_id": "thread"}),
    ("activity", "discussion.activity", GROUP),
    ("poll results", "polls.results", {**GROUP, "discussion_id": "discussion"}),
    ("queue", "moderation.queue", GROUP),
    ("log", "moderation.log", GROUP),
    ("words", "moderation.words", GROUP),
    ("account", "accounts.account", {}),
]


def build(session) -> dict:
    """The authorization matrix's world, plus a muted member so the queue has its table
    and a poll answer with a reason so the poll results have theirs."""
    world = build_world(session)
    participant = session.get(Membership, world["participant_membership"])
    discussion = session.get(Discussion, world["discussion"])
    session.add_all(PollAnswer(discussion_id=discussion.id, position_id=position.id,
                               user_id=participant.user_id, phase=BEFORE, value=2,
                               reason="The families pay a price too.")
                    for position in polls.positions(session, discussion))
    moderation.mute(session, participant, world["users"]["facilitator"], "1h", "Cool off.")
    session.commit()
    return world


def urls(app, world, pages) -> list[tuple[str, str]]:
    """(name, path) for each page, with the world's ids filled in."""
    with app.test_request_context():
        return [
            (name, url_for(endpoint, **{
                key: value[1:] if value.startswith("=") else world[value]
                for key, value in args.items()
            }))
            for name, endpoint, args in pages
        ]
