"""The live stream: an event log replayed by id, holding the thread page's visibility."""

import json
import re

from casebook.accounts.models import User
from casebook.groups.service import membership_of
from casebook.live.models import LiveEvent
from tests.conftest import db
from tests.discussion.conftest import page_text, reply, thread_url, write


def stream_url(w, thread_id: int, **query) -> str:
    suffix = "".join(f"&{k}={v}" for k, v in query.items()).replace("&", "?", 1)
    return f"/live/groups/{w.gid}/threads/{thread_id}{suffix}"


def messages(response) -> list[dict]:
    """Each SSE message as {"id", "event", "data"} (event and data None for id-only)."""
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    return parse(page_text(response))


def parse(text: str) -> list[dict]:
    found = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines()
                      if ": " in line and not line.startswith(":"))
        if "id" in fields:
            found.append({"id": int(fields["id"]), "event": fields.get("event"),
                          "data": json.loads(fields["data"]) if "data" in fields else None})
    return found


def posts_in(msgs) -> dict[int, str]:
    return {m["data"]["id"]: m["data"]["html"] for m in msgs if m["event"] == "post"}


def article_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<article class="post[^"]*" id="post-(\d+)"', html)}


def test_a_new_post_reaches_members_and_a_reconnect_resumes_after_the_last_id(
        app, world, client_for):
    ann, ben = client_for(world.ann), client_for(world.ben)
    with db(app) as session:
        first = write(session, world.thread.id, world.ann, "The vigilantes acted on a tip.")
    msgs = messages(ben.get(stream_url(world, world.thread.id)))
    assert list(posts_in(msgs)) == [first.id]
    assert "The vigilantes acted on a tip." in posts_in(msgs)[first.id]
    last = msgs[-1]["id"]

    assert reply(ann, world, world.thread, "Second thought on consent.").status_code == 302
    resumed = messages(ben.get(stream_url(world, world.thread.id),
                               headers={"Last-Event-ID": str(last)}))
    assert [m["id"] > last for m in resumed] == [True]
    (html,) = posts_in(resumed).values()
    assert "Second thought on consent." in html
    # ?after= is the same resume point, for the first connection from a page.
    assert messages(ben.get(stream_url(world, world.thread.id, after=resumed[-1]["id"]))) == []


def test_the_thread_page_starts_its_stream_after_what_it_shows(app, world, client_for):
    with db(app) as session:
        write(session, world.thread.id, world.ann, "Shown already.")
        last = session.query(LiveEvent).order_by(LiveEvent.id.desc()).first().id
    page = page_text(client_for(world.ben).get(thread_url(world, world.thread)))
    url = f"/live/groups/{world.gid}/threads/{world.thread.id}?after={last}"
    assert f'data-live-url="{url}"' in page
    assert "js/live.js" in page


def test_outsiders_and_signed_out_visitors_get_404(app, world, client_for):
    assert client_for(world.out).get(stream_url(world, world.thread.id)).status_code == 404
    assert client_for(None).get(stream_url(world, world.thread.id)).status_code == 404
    # A thread of another group, through this group's URL.
    assert client_for(world.ann).get(stream_url(world, world.other_thread.id)).status_code == 404


def test_other_groups_events_never_reach_a_stream(app, world, client_for):
    with db(app) as session:
        write(session, world.other_thread.id, world.out, "Elsewhere.")
    assert posts_in(messages(client_for(world.ann).get(stream_url(world, world.thread.id)))) == {}


def test_a_member_removed_while_the_stream_is_open_stops_receiving(app, world, client_for):
    from casebook.groups import service as groups

    response = client_for(world.ben).get(stream_url(world, world.thread.id), buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    with db(app) as session:
        target = membership_of(session, world.gid, session.get(User, world.ben.id))
        groups.remove_member(session, target, session.get(User, world.fac.id))
        write(session, world.thread.id, world.ann, "After Ben was removed.")
    assert b"After Ben was removed." not in b"".join(chunks)
    response.close()
    assert client_for(world.ben).get(stream_url(world, world.thread.id)).status_code == 404


def test_viewers_sharing_a_rendering_still_get_their_own_labels_and_controls(
        app, world, client_for):
    with db(app) as session:
        own = write(session, world.thread.id, world.ann, "Ann's view on the sting.")
    # Ben and Ann read the same post; only Ann's copy says it is hers.
    for user, mine in ((world.ben, False), (world.ann, True), (world.ben, False)):
        (html,) = posts_in(messages(client_for(user).get(stream_url(world, world.thread.id))))\
            .values()
        assert ('<span class="you">(you)</span>' in html) is mine
        assert ("Edit<span" in html) is mine
    # The moderator's copy carries the Hide form with a working CSRF token of their own.
    mod = client_for(world.mod)
    mod.get(thread_url(world, world.thread))  # the session's CSRF secret, as a page visit sets
    (html,) = posts_in(messages(mod.get(stream_url(world, world.thread.id)))).values()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = mod.post(f"/groups/{world.gid}/posts/{own.id}/hide",
                        data={"csrf_token": token, "reason": "Names a person."})
    assert response.status_code == 302
    assert "hidden by a moderator" in page_text(client_for(world.ben).get(
        thread_url(world, world.thread)))
