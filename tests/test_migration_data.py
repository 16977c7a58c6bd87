"""Upgrading keeps every row: a database built at the first migration and filled with
every kind of row, then upgraded one migration at a time to head.

Each migration has one ``Step``: ``check`` runs right after upgrading to it (what
the migration should have done to existing rows), then ``fill`` inserts the rows
its schema newly allows. After every upgrade all rows inserted so far must read
back unchanged. A new migration adds its Step to ``STEPS``; the test fails until
it does, and until every table at head holds a row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, insert, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from casebook import migrate
from casebook.cases.models import Case
from casebook.db import make_engine
from casebook.discussion.models import ContentNoteAck, Post, Thread
from casebook.groups.models import Group, Membership
from casebook.moderation.models import ModerationAction, Report
from casebook.ops.check import check
from casebook.polls.models import PollAnswer
from casebook.search.index import matching
from tests.scratch import scratch_databases

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def tables(connection: Connection):
    metadata = MetaData()
    metadata.reflect(connection)
    return metadata.tables


def put(connection: Connection, table: str, *rows: dict) -> None:
    connection.execute(insert(tables(connection)[table]), list(rows))


def column(connection: Connection, table: str, name: str) -> dict:
    t = tables(connection)[table]
    return dict(connection.execute(select(t.c.id, t.c[name]).order_by(t.c.id)).all())


@dataclass
class Step:
    revision: str
    fill: Callable[[Connection], None]
    check: Callable[[Connection], None] = lambda connection: None


def fill_0001(c: Connection) -> None:
    put(c, "users", *[
        {"id": i, "email": f"{name}@Example.org", "email_key": f"{name}@example.org",
         "display_name": name.title(), "password_hash": f"$argon2id$hash-of-{name}",
         "is_admin": i == 4, "session_version": i, "created_at": at(i)}
        for i, name in enumerate(["fay", "ann", "ben", "ada"], start=1)
    ])
    put(c, "cases", {
        "id": 1, "slug": "online-vigilantes", "title": "Online vigilantes",
        "summary": "A summary.", "content_note": "Mentions abuse.", "reading_minutes": 12,
        "sources": [{"title": "Report", "url": "https://example.org/r"}],
        "stakeholders": ["police", "families"], "lenses": ["rights", "harm"],
        "body_md": "Body *text*.", "body_html": "<p>Body <em>text</em>.</p>",
        "search_text": "online vigilantes body text", "source_digest": "d" * 64,
        "imported_at": at(0), "updated_at": at(1),
    })
    put(c, "case_themes", {"case_id": 1, "theme": "policing"},
        {"case_id": 1, "theme": "technology"})
    put(c, "positions", {"id": 1, "case_id": 1, "key": "stop", "position": 1,
                         "text": "Stop them.", "retired": False},
        {"id": 2, "case_id": 1, "key": "allow", "position": 2, "text": "Let them.",
         "retired": True})
    put(c, "prompts", *[
        {"id": i, "case_id": 1, "key": f"p{i}", "stage": stage, "position": i,
         "lens": lens, "text_md": f"Prompt {i}?", "text_html": f"<p>Prompt {i}?</p>",
         "retired": False}
        for i, stage, lens in [(1, "understand", None), (2, "lenses", "rights")]
    ])


def check_0002(c: Connection) -> None:
    assert set(column(c, "users", "timezone").values()) == {"Europe/London"}


def fill_0002(c: Connection) -> None:
    put(c, "groups", {
        "id": 1, "name": "Ethics seminar", "description_md": "We *meet*.",
        "description_html": "<p>We <em>meet</em>.</p>", "kind": "seminar",
        "join_code": "ABCD-EFGH", "join_code_expires_at": at(9000),
        "requires_approval": True, "premoderation": "first_n", "premoderation_first_n": 2,
        "next_pseudonym": 4, "created_at": at(10), "created_by_id": 1,
    })
    put(c, "memberships", *[
        {"id": i, "group_id": 1, "user_id": i, "role": role, "status": "active",
         "pseudonym_number": i, "muted_until": at(500) if i == 2 else None,
         "joined_at": at(10 + i)}
        for i, role in [(1, "facilitator"), (2, "participant"), (3, "moderator")]
    ])
    put(c, "join_requests", {"id": 1, "group_id": 1, "user_id": 3, "status": "approved",
                             "created_at": at(12), "decided_at": at(13),
                             "decided_by_id": 1})
    put(c, "watched_words", {"id": 1, "group_id": 1, "phrase": "real name",
                             "action": "hold", "created_at": at(14)})
    put(c, "discussions", {
        "id": 1, "group_id": 1, "case_id": 1, "title": "Week 1", "opens_at": at(20),
        "closes_at": at(20000), "post_first": True, "identity": "pseudonymous",
        "allow_member_threads": True, "created_at": at(15), "created_by_id": 1,
    })
    put(c, "threads", *[
        {"id": 1, "discussion_id": 1, "prompt_id": 1, "title": "Prompt 1?", "position": 1,
         "created_by_id": 1, "locked": False, "pinned_post_id": None, "last_number": 3,
         "last_post_at": at(33), "created_at": at(15)},
        {"id": 2, "discussion_id": 1, "prompt_id": None, "title": "Ann's own thread",
         "position": 3, "created_by_id": 2, "locked": True, "pinned_post_id": None,
         "last_number": 0, "last_post_at": None, "created_at": at(16)},
    ])
    put(c, "posts", *[
        {"id": 1, "thread_id": 1, "author_id": 2, "reply_to_id": None, "number": 1,
         "status": "published", "body_md": "I think **they** went too far.",
         "body_html": "<p>I think <strong>they</strong> went too far.</p>",
         "moderation_reason": None, "flagged": False, "submission_key": "k" * 64,
         "created_at": at(31), "edited_at": at(40)},
        {"id": 2, "thread_id": 1, "author_id": 3, "reply_to_id": 1, "number": 2,
         "status": "published", "body_md": "> went too far\n\nWhy?",
         "body_html": "<blockquote>went too far</blockquote><p>Why?</p>",
         "moderation_reason": None, "flagged": True, "submission_key": None,
         "created_at": at(32), "edited_at": None},
        {"id": 3, "thread_id": 1, "author_id": 1, "reply_to_id": 2, "number": 3,
         "status": "hidden", "body_md": "Names a suspect.", "body_html": "<p>x</p>",
         "moderation_reason": "Real name", "flagged": False, "submission_key": None,
         "created_at": at(33), "edited_at": None},
        {"id": 4, "thread_id": 2, "author_id": None, "reply_to_id": None, "number": None,
         "status": "held", "body_md": "From a deleted account, waiting.",
         "body_html": "<p>waiting</p>", "moderation_reason": None, "flagged": False,
         "submission_key": None, "created_at": at(34), "edited_at": None},
    ])
    threads = tables(c)["threads"]
    c.execute(update(threads).where(threads.c.id == 1).values(pinned_post_id=1))
    put(c, "thread_reads", {"user_id": 2, "thread_id": 1, "last_read_number": 2,
                            "read_at": at(35)})
    put(c, "moderation_actions", {
        "id": 1, "group_id": 1, "actor_id": 3, "action": "hide_post", "target_user_id": 1,
        "post_id": 3, "thread_id": 1, "reason": "Real name",
        "details": {"before": "published", "after": "hidden"}, "created_at": at(36),
    })
    put(c, "post_revisions", {"id": 1, "post_id": 1, "body_md": "I think they went far.",
                              "created_at": at(31), "replaced_at": at(40)})
    put(c, "reports", {"id": 1, "post_id": 2, "reporter_id": 2, "reason": "offensive",
                       "detail": "Rude.", "created_at": at(37), "resolved_at": at(38),
                       "resolved_by_id": 1})


def check_0003(c: Connection) -> None:
    # Earlier posts take their author's role in the group; no author, no role.
    assert column(c, "posts", "author_role") == {
        1: "participant", 2: "moderator", 3: "facilitator", 4: None}


def fill_0003(c: Connection) -> None:
    put(c, "posts", {"id": 5, "thread_id": 2, "author_id": 3, "author_role": "moderator",
                     "number": 1, "status": "published", "body_md": "five words in this post",
                     "body_html": "<p>five words in this post</p>", "flagged": False,
                     "created_at": at(50)})


def check_0004(c: Connection) -> None:
    bodies = column(c, "posts", "body_md")
    assert column(c, "posts", "word_count") == {
        post_id: len(body.split()) for post_id, body in bodies.items()}
    assert column(c, "posts", "word_count")[5] == 5


def fill_0004(c: Connection) -> None:
    put(c, "content_note_acks", {"user_id": 2, "discussion_id": 1, "acknowledged_at": at(30)},
        {"user_id": 3, "discussion_id": 1, "acknowledged_at": at(31)})


def check_0005(c: Connection) -> None:
    assert column(c, "cases", "teaching_notes") == {1: None}


TEACHING_NOTES = {"objectives": ["Weigh deterrence against help."],
                  "seminar_plan": [{"minutes": 10, "activity": "Read the decision aloud.",
                                    "prompts": ["p1"]}]}


def fill_0005(c: Connection) -> None:
    cases = tables(c)["cases"]
    c.execute(update(cases).where(cases.c.id == 1).values(teaching_notes=TEACHING_NOTES))


def check_0006(c: Connection) -> None:
    # Existing groups keep a leaving member's words and are not archived.
    assert column(c, "groups", "deleted_member_posts") == {1: "keep"}
    assert column(c, "groups", "archived_at") == {1: None}


def fill_0006(c: Connection) -> None:
    put(c, "groups", {
        "id": 2, "name": "Last year's seminar", "description_md": "", "description_html": "",
        "kind": "reading", "join_code": None, "join_code_expires_at": None,
        "requires_approval": False, "premoderation": "off", "premoderation_first_n": 3,
        "next_pseudonym": 1, "created_at": at(60), "created_by_id": 1,
        "deleted_member_posts": "remove", "archived_at": at(70),
    })


def check_0007(c: Connection) -> None:
    # Indexes only: the rows are checked by the loop; the new indexes must exist.
    names = {ix["name"] for table in ("posts", "threads", "discussions", "memberships")
             for ix in inspect(c).get_indexes(table)}
    assert {"ix_posts_status_created", "ix_posts_thread_author_status",
            "ix_threads_discussion_position", "ix_memberships_group_status"} <= names


def check_0008(c: Connection) -> None:
    # Existing discussions keep every stage open and post first on every prompt;
    # existing groups keep every prompt ticked, as before presets.
    assert column(c, "discussions", "release") == {1: "all"}
    assert column(c, "discussions", "post_first_stage") == {1: None}
    assert column(c, "groups", "default_release") == {1: "all", 2: "all"}
    assert column(c, "groups", "default_police_prompts") == {1: True, 2: True}


def fill_0008(c: Connection) -> None:
    discussions = tables(c)["discussions"]
    c.execute(update(discussions).where(discussions.c.id == 1)
              .values(release="staged", post_first_stage="decide"))
    put(c, "discussion_stages",
        {"discussion_id": 1, "stage": "understand", "position": 0, "opened_at": at(20),
         "opens_at": None},
        {"discussion_id": 1, "stage": "decide", "position": 1, "opened_at": None,
         "opens_at": at(90)})


def check_0009(c: Connection) -> None:
    # Existing threads start at version 0; the post indexes now end in the number.
    assert set(column(c, "threads", "version").values()) == {0}
    names = {ix["name"] for ix in inspect(c).get_indexes("posts")}
    assert {"ix_posts_thread_status_number", "ix_posts_thread_author_status_number"} <= names
    assert not {"ix_posts_thread_status", "ix_posts_thread_author_status"} & names


def fill_0010(c: Connection) -> None:
    put(c, "debriefs", {"id": 1, "discussion_id": 1, "summary_md": "We *agreed*.",
                        "summary_html": "<p>We <em>agreed</em>.</p>", "shared": True,
                        "created_at": at(600), "updated_at": at(601), "updated_by_id": 1})
    put(c, "key_contributions", {"id": 1, "discussion_id": 1, "post_id": 2,
                                 "marked_by_id": 1, "created_at": at(602)})


def check_0011(c: Connection) -> None:
    # Existing cases stay in the library.
    assert column(c, "cases", "group_id") == {1: None}


def fill_0011(c: Connection) -> None:
    # Group 1's own copy of the library case, under the same slug, with a discussion.
    put(c, "cases", {
        "id": 2, "slug": "online-vigilantes", "group_id": 1, "title": "Vigilantes, our way",
        "summary": "Ours.", "content_note": "Mentions abuse.", "reading_minutes": 10,
        "sources": [], "stakeholders": [], "lenses": ["care"], "body_md": "Ours.",
        "body_html": "<p>Ours.</p>", "search_text": "ours", "source_digest": "e" * 64,
        "imported_at": at(100), "updated_at": at(100),
    })
    put(c, "prompts", {"id": 3, "case_id": 2, "key": "p1", "stage": "decide", "position": 0,
                       "lens": None, "text_md": "Decide?", "text_html": "Decide?",
                       "retired": False})
    put(c, "discussions", {
        "id": 2, "group_id": 1, "case_id": 2, "title": "Our case", "opens_at": at(101),
        "closes_at": None, "post_first": False, "identity": "named",
        "allow_member_threads": False, "created_at": at(101), "created_by_id": 1,
    })


def found(c: Connection, model, word: str) -> set[int]:
    return set(c.scalars(select(model.id).where(matching(c.dialect.name, model, [word]))))


def check_0012(c: Connection) -> None:
    # Existing posts get the words of their rendered text, and both they and
    # the cases are in the full-text index at once.
    text = column(c, "posts", "search_text")
    assert text[1] == "i think they went too far"
    assert text[2] == "went too far why"
    assert found(c, Post, "far") == {1, 2}
    assert found(c, Post, "strong") == set()
    assert found(c, Case, "vigilantes") == {1}


def fill_0012(c: Connection) -> None:
    # A post written now reaches the index through the database's own upkeep.
    put(c, "posts", {"id": 6, "thread_id": 2, "author_id": 3, "author_role": "moderator",
                     "number": 2, "status": "published", "body_md": "Later words",
                     "body_html": "<p>Later words</p>", "search_text": "later words",
                     "flagged": False, "created_at": at(600)})
    assert found(c, Post, "later") == {6}


def check_0013(c: Connection) -> None:
    assert "poll_answers" in tables(c)


def fill_0013(c: Connection) -> None:
    # Ann answered the first position before and after; the user's and the
    # position's rows must read back with them.
    put(c, "poll_answers", *[
        {"id": i, "discussion_id": 1, "position_id": 1, "user_id": 2, "phase": phase,
         "value": value, "reason": reason, "created_at": at(40 + i), "updated_at": at(40 + i)}
        for i, phase, value, reason in [(1, "before", 2, "Families suffer too."),
                                        (2, "after", 4, None)]
    ])


def check_0014(c: Connection) -> None:
    # The live log starts empty: pages opened before the upgrade resume from id 0.
    assert column(c, "live_events", "kind") == {}
    assert column(c, "threads", "version")  # threads and posts kept


def fill_0014(c: Connection) -> None:
    post_id = min(column(c, "posts", "status"))
    put(c, "live_events",
        {"group_id": 1, "discussion_id": 1, "thread_id": 1, "post_id": post_id,
         "kind": "post_published", "detail": None, "created_at": at(100)},
        {"group_id": 1, "discussion_id": 1, "thread_id": None, "post_id": None,
         "kind": "stage_opened", "detail": "decide", "created_at": at(101)})
    put(c, "projector_posts", {"post_id": post_id, "discussion_id": 1, "shown_at": at(102)})


def check_0015(c: Connection) -> None:
    # No discussion has poll counts on its projector screen until a facilitator puts them there.
    assert set(column(c, "discussions", "projector_poll").values()) == {None}


def check_0016(c: Connection) -> None:
    # New tables only: nothing existing is tagged or given a role.
    t = tables(c)
    assert c.execute(select(t["post_tags"])).all() == []
    assert c.execute(select(t["stakeholder_roles"])).all() == []


def fill_0016(c: Connection) -> None:
    put(c, "post_tags", {"post_id": 1, "kind": "lens", "key": "rights"},
        {"post_id": 1, "kind": "role", "key": "online-vigilante-groups"})
    put(c, "stakeholder_roles",
        {"discussion_id": 1, "membership_id": 2, "stakeholder": "online-vigilante-groups"})


def check_0017(c: Connection) -> None:
    # Existing accounts start unverified, following their groups' email default,
    # which is a daily digest.
    assert set(column(c, "users", "email_verified_at").values()) == {None}
    assert set(column(c, "users", "email_notifications").values()) == {None}
    assert set(column(c, "groups", "email_default").values()) == {"daily"}


def fill_0017(c: Connection) -> None:
    users = tables(c)["users"]
    c.execute(update(users).where(users.c.id == 2).values(email_verified_at=at(80),
                                                          email_notifications="off"))
    put(c, "outbox", {
        "id": 1, "to_address": "ann@Example.org", "subject": "Reset your password",
        "body": "Open this link.", "headers": {"List-Unsubscribe": "<https://x/u>"},
        "status": "sent", "attempts": 1, "last_error": None, "created_at": at(81),
        "sent_at": at(82),
    })
    put(c, "notifications", {
        "id": 1, "user_id": 3, "kind": "reply", "group_id": 1, "discussion_id": 1,
        "thread_id": 1, "post_id": 2, "text": "Ann replied to your post.",
        "created_at": at(83), "read_at": None, "emailed_at": at(84),
    })


STEPS = [
    Step("0001", fill_0001),
    Step("0002", fill_0002, check_0002),
    Step("0003", fill_0003, check_0003),
    Step("0004", fill_0004, check_0004),
    Step("0005", fill_0005, check_0005),
    Step("0006", fill_0006, check_0006),
    Step("0007", lambda connection: None, check_0007),
    Step("0008", fill_0008, check_0008),
    Step("0009", lambda connection: None, check_0009),
    Step("0010", fill_0010),
    Step("0011", fill_0011, check_0011),
    Step("0012", fill_0012, check_0012),
    Step("0013", fill_0013, check_0013),
    Step("0014", fill_0014, check_0014),
    Step("0015", lambda connection: None, check_0015),
    Step("0016", fill_0016, check_0016),
    Step("0017", fill_0017, check_0017),
]


def snapshot(connection: Connection) -> dict[str, list[dict]]:
    return {
        name: sorted((dict(row._mapping) for row in connection.execute(select(table))),
                     key=repr)
        for name, table in tables(connection).items() if name != "alembic_version"
    }


def same_columns(before: list[dict], after: list[dict]) -> list[dict]:
    """``after`` cut down to the columns ``before`` had, to compare old rows by old columns."""
    if not before:
        return []
    names = before[0].keys()
    return sorted(({k: row[k] for k in names} for row in after), key=repr)


@pytest.fixture
def engine(tmp_path, database_url):
    with scratch_databases(tmp_path) as new:
        engine = make_engine(new("migration_data"))
        yield engine
        engine.dispose()


def test_every_migration_has_a_step():
    engine = make_engine("sqlite://")
    assert STEPS[-1].revision == migrate.head_revision(engine), (
        "a new migration needs its Step in tests/test_migration_data.py")


def test_upgrading_step_by_step_keeps_every_row_and_relation(engine):
    before: dict[str, list[dict]] = {}
    for step in STEPS:
        migrate.upgrade(engine, step.revision)
        with engine.begin() as connection:
            after = snapshot(connection)
            for table, rows in before.items():
                assert same_columns(rows, after[table]) == rows, (
                    f"upgrading to {step.revision} changed rows of {table}")
            step.check(connection)
            step.fill(connection)
        with engine.connect() as connection:
            before = snapshot(connection)

    assert migrate.current_revision(engine) == migrate.head_revision(engine)
    empty = sorted(name for name, rows in before.items() if not rows)
    assert empty == [], f"no step fills {empty}"
    assert check(engine, lambda _line: None) == []

    # The models of today read the old rows, relations included.
    with Session(engine) as session:
        reply = session.get(Post, 2)
        assert reply.reply_to.body_md == "I think **they** went too far."
        assert session.get(Group, reply.thread.discussion.group_id).name == "Ethics seminar"
        assert reply.thread.discussion.case.slug == "online-vigilantes"
        assert reply.thread.prompt.text_md == "Prompt 1?"
        assert reply.author.display_name == "Ben"
        assert reply.author.timezone == "Europe/London"
        assert session.get(Thread, 1).pinned_post_id == 1
        assert session.get(Post, 1).edited_at == at(40)
        assert session.get(Post, 4).author is None
        assert session.get(Report, 1).post.author.display_name == "Ben"
        action = session.get(ModerationAction, 1)
        assert action.details == {"before": "published", "after": "hidden"}
        assert action.target_user.display_name == "Fay"
        assert session.get(Membership, 2).muted_until == at(500)
        assert session.get(ContentNoteAck, (2, 1)).acknowledged_at == at(30)
        assert session.get(Case, 1).teaching_notes == TEACHING_NOTES
        archived = session.get(Group, 2)
        assert archived.archived_at == at(70)
        assert archived.deleted_member_posts == "remove"
        answer = session.get(PollAnswer, 1)
        assert (answer.user.display_name, answer.value) == ("Ann", 2)
