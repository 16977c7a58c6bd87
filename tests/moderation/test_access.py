"""Who may reach each moderation page and action: 403 for members without the
right, 404 for outsiders, the signed-out and ids from another group."""

import pytest
from sqlalchemy import select

from casebook.discussion.models import PUBLISHED, Post
from casebook.groups.service import membership_of
from casebook.moderation import service
from casebook.moderation.models import ModerationAction, Report, WatchedWord
from tests.conftest import ANY_PAGE, post_form
from tests.factories import post
from tests.moderation.conftest import refresh

PAGES = ["/moderation", "/moderation/words", "/moderation/log"]
ACTIONS = [
    ("/posts/{pid}/approve", {}),
    ("/posts/{pid}/reject", {"reason": "r"}),
    ("/posts/{pid}/hide", {"reason": "r"}),
    ("/posts/{pid}/restore", {}),
    ("/posts/{pid}/clear-flag", {}),
    ("/reports/{rid}/dismiss", {}),
    ("/threads/{tid}/lock", {}),
    ("/threads/{tid}/unlock", {}),
    ("/threads/{tid}/pin", {"post_id": "{pid}"}),
    ("/threads/{tid}/unpin", {}),
    ("/members/{mid}/mute", {"duration": "1h", "reason": "r"}),
    ("/members/{mid}/unmute", {}),
    ("/moderation/words", {"phrase": "Smith", "action": "block"}),
    ("/moderation/words/{wid}/delete", {}),
]


def _objects(session, group, thread, author, reporter, muted_user):
    """One of everything a moderation URL can name, in ``group``."""
    p = post(session, thread, author, "A post in this group.")
    service.report(session, p, reporter, "other")
    word = service.add_word(session, group, reporter, "Ridgeway", "flag")
    refresh(session)
    return {"pid": p.id, "tid": thread.id, "wid": word.id,
            "rid": session.scalar(select(Report.id).where(Report.post_id == p.id)),
            "mid": membership_of(session, group.id, muted_user).id}


@pytest.fixture
def objects(session, world):
    return _objects(session, world.group, world.thread, world.ben, world.fac, world.ann)


def _request(client, gid, path, data, ids):
    data = {k: v.format(**ids) for k, v in data.items()}
    return post_form(client, ANY_PAGE, f"/groups/{gid}{path.format(**ids)}", data)


def _assert_nothing_changed(session, group_id, ids):
    refresh(session)
    actions = set(session.scalars(
        select(ModerationAction.action).where(ModerationAction.group_id == group_id)))
    assert actions == {"added watched word"}, actions
    assert session.get(Post, ids["pid"]).status == PUBLISHED
    assert session.scalar(select(WatchedWord.id).where(WatchedWord.phrase == "Smith")) is None
    assert session.get(WatchedWord, ids["wid"]) is not None


def test_participants_get_403_on_the_pages_and_every_action(session, world, objects,
                                                            client_for):
    ann = client_for(world.ann)
    for path in PAGES:
        assert ann.get(f"/groups/{world.gid}{path}").status_code == 403, path
    for path, data in ACTIONS:
        assert _request(ann, world.gid, path, data, objects).status_code == 403, path
    _assert_nothing_changed(session, world.gid, objects)


@pytest.mark.parametrize("who", ["out", None])
def test_outsiders_and_the_signed_out_get_404_on_the_pages_and_every_action(
        session, world, objects, client_for, who):
    c = client_for(getattr(world, who) if who else None)
    for path in PAGES:
        assert c.get(f"/groups/{world.gid}{path}").status_code == 404, path
    report_url = f"/groups/{world.gid}/posts/{objects['pid']}/report"
    assert c.get(report_url).status_code == 404
    assert post_form(c, ANY_PAGE, report_url, {"reason": "other"}).status_code == 404
    for path, data in ACTIONS:
        assert _request(c, world.gid, path, data, objects).status_code == 404, path
    _assert_nothing_changed(session, world.gid, objects)
    refresh(session)
    assert session.scalar(select(Report.id).where(Report.reporter_id == world.out.id)) is None


def test_ids_from_another_group_are_404_under_this_groups_url(session, world, client_for):
    """The outsider's group's objects, reached through the moderator's own group."""
    foreign = _objects(session, world.other_group, world.other_thread, world.out, world.out,
                       world.out)
    mod = client_for(world.mod)
    for path, data in ACTIONS:
        if "{" not in path:
            continue  # names no object
        assert _request(mod, world.gid, path, data, foreign).status_code == 404, path
    assert mod.get(f"/groups/{world.gid}/posts/{foreign['pid']}/report").status_code == 404
    _assert_nothing_changed(session, world.other_group.id, foreign)
    assert session.scalar(select(ModerationAction.id).where(
        ModerationAction.group_id == world.gid)) is None


def test_guessed_ids_that_do_not_exist_are_404(world, client_for):
    ids = {"pid": 999999, "rid": 999999, "wid": 999999, "tid": 999999, "mid": 999999}
    mod = client_for(world.mod)
    for path, data in ACTIONS:
        if "{" in path:
            assert _request(mod, world.gid, path, data, ids).status_code == 404, path
    assert mod.get("/groups/999999/moderation").status_code == 404


def test_a_moderator_cannot_act_in_a_group_they_do_not_belong_to(session, world, client_for):
    foreign = _objects(session, world.other_group, world.other_thread, world.out, world.out,
                       world.out)
    mod = client_for(world.mod)
    gid = world.other_group.id
    for path in PAGES:
        assert mod.get(f"/groups/{gid}{path}").status_code == 404, path
    for path, data in ACTIONS:
        assert _request(mod, gid, path, data, foreign).status_code == 404, path
    _assert_nothing_changed(session, gid, foreign)
