"""Ids the database cannot hold (2**63 and up) or that cannot exist (0) give 404,
never a 500, on every route with an id: the cases are generated from the URL
map, so a new route is covered the day it is added."""

import re

import pytest

from casebook.ids import IdConverter, parse_id, parse_page
from casebook.moderation.models import Report
from tests.conftest import csrf_token, db, signed_in
from tests.factories import post, seminar

BAD_IDS = [str(2**63), str(2**64), "99999999999999999999", "0"]
HUGE = str(2**63)
_ID_ARG = re.compile(r"<id:(\w+)>")


def _id_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if _ID_ARG.search(r.rule)),
                  key=lambda r: r.rule)


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        w = seminar(session)
        w.post = post(session, w.thread, w.ann, "A first answer.")
        w.ann_membership_id = next(m.id for m in w.group.memberships if m.user_id == w.ann.id)
        session.add(Report(post_id=w.post.id, reporter_id=w.ben.id, reason="off-topic"))
        session.commit()
        w.ids = {"group_id": w.gid, "discussion_id": w.discussion.id,
                 "thread_id": w.thread.id, "post_id": w.post.id,
                 "member_id": w.ann_membership_id}
        return w


def _urls(rule, ids):
    """The rule's URL once per (argument, bad value), other ids real where known."""
    names = _ID_ARG.findall(rule.rule)
    for name in names:
        for bad in BAD_IDS:
            values = {n: str(ids.get(n, 1)) for n in names}
            values[name] = bad
            yield _ID_ARG.sub(lambda m, values=values: values[m.group(1)], rule.rule)


def test_every_id_argument_uses_the_id_converter(app):
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if name.endswith("_id"):
                assert isinstance(converter, IdConverter), f"{rule.rule}: <{name}> is not <id:>"


def test_the_routes_are_found(app):
    # Guards the generated tests below against finding nothing to check.
    assert len(_id_rules(app)) > 30


@pytest.mark.parametrize("who", ["signed_out", "member"])
def test_bad_ids_in_paths_are_not_found(app, world, who):
    client = signed_in(app, world.ann if who == "member" else None)
    token = csrf_token(client)
    failures = []
    for rule in _id_rules(app):
        for url in _urls(rule, world.ids):
            if "GET" in rule.methods:
                status = client.get(url).status_code
                if status != 404:
                    failures.append(("GET", url, status))
            if "POST" in rule.methods:
                status = client.post(url, data={"csrf_token": token, "body": "Hello",
                                                "post_id": HUGE}).status_code
                if status != 404:
                    failures.append(("POST", url, status))
    assert failures == []


def test_parse_id_and_parse_page_refuse_what_cannot_exist():
    assert parse_id("42") == 42
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    for bad in (None, "", "0", "-1", "+1", " 1", "1.0", "١٢", str(2**63), "9" * 10_000):
        assert parse_id(bad) is None, bad
    assert parse_page("3") == 3
    for bad in (None, "", "0", "-2", "x", "1000001", HUGE):
        assert parse_page(bad) == 1, bad


def test_huge_query_parameters_are_ignored(app, world):
    ann = signed_in(app, world.ann)
    fay = signed_in(app, world.fac)
    g = world.gid
    pages = [
        (ann, f"/groups/{g}/threads/{world.thread.id}"),
        (ann, f"/groups/{g}/activity"),
        (ann, f"/groups/{g}/discussions/{world.discussion.id}"),
        (fay, f"/groups/{g}/moderation/log"),
        (fay, f"/groups/{g}/moderation"),
    ]
    for client, url in pages:
        for bad in [*BAD_IDS, "-1", "abc", "1e9"]:
            query = f"page={bad}&reply_to={bad}&member={bad}&unknown={bad}"
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200, (url, bad, response.status_code)


def test_a_reply_naming_a_huge_post_is_stored_as_a_plain_reply(app, world):
    from sqlalchemy import select

    from casebook.discussion.models import Post

    ann = signed_in(app, world.ann)
    url = f"/groups/{world.gid}/threads/{world.thread.id}"
    response = ann.post(url + "/posts", data={
        "csrf_token": csrf_token(ann, url), "body": "Replying to nothing.", "reply_to": HUGE,
        "submission_key": "k" * 24, "submit": "Post"})
    assert response.status_code == 302
    with db(app) as session:
        stored = session.scalar(select(Post).where(Post.body_md == "Replying to nothing."))
        assert stored is not None and stored.reply_to_id is None


def test_pinning_a_huge_post_id_is_not_found(app, world):
    fay = signed_in(app, world.fac)
    url = f"/groups/{world.gid}/threads/{world.thread.id}/pin"
    for bad in [*BAD_IDS, "-5", "x"]:
        response = fay.post(url, data={"csrf_token": csrf_token(fay), "post_id": bad})
        assert response.status_code == 404, bad


def test_every_page_ignores_huge_and_unknown_query_parameters(app, world):
    """Each GET route of the URL map, as the facilitator, with every query
    parameter the app reads set to something hostile, plus ones it never reads."""
    fay = signed_in(app, world.fac)
    others = {"filename": "css/casebook.css", "slug": "online-vigilantes", "code": "ABCDEFGH"}
    query = (f"page={HUGE}&reply_to={HUGE}&member={2**64}&action={'x' * 500}&case=none"
             f"&q={'y' * 500}&theme=zz&next=//example.org&utm_source=mail&page=2")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>",
                     lambda m: str(world.ids.get(m.group(1), others.get(m.group(1), 1))),
                     rule.rule)
        response = fay.get(f"{url}?{query}")
        checked += 1
        assert response.status_code < 500, (url, response.status_code)
        assert response.status_code != 400, (url, "unknown parameters are ignored")
    assert checked > 30
