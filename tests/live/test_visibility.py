"""Nothing reaches a member live that their thread page would not show."""

from casebook.accounts.models import User
from casebook.discussion.models import STAGED, Post, Thread
from casebook.groups.models import Group
from casebook.moderation import service as moderation
from tests.conftest import db
from tests.discussion.conftest import page_text, thread_url, write
from tests.factories import make_discussion
from tests.live.test_stream import article_ids, messages, posts_in, stream_url

MARKERS = ("Ann's first answer", "Mo's note", "Ann's answer held for review",
           "Ben's answer later hidden")


def busy_post_first_thread(app, w) -> int:
    """A post-first, pseudonymous thread with published, held and hidden posts."""
    with db(app) as session:
        group = session.get(Group, w.gid)
        fac = session.get(User, w.fac.id)
        discussion = make_discussion(session, group, fac, post_first=True,
                                     identity="pseudonymous")
        thread_id = discussion.threads[0].id
        moderation.add_word(session, group, fac, "review me", "hold")
        write(session, thread_id, w.ann, MARKERS[0])
        write(session, thread_id, w.mod, MARKERS[1])
        write(session, thread_id, w.ann, MARKERS[2] + " review me")
        hidden = write(session, thread_id, w.ben, MARKERS[3])
        moderation.hide(session, session.get(Post, hidden.id), session.get(User, w.mod.id),
                        "Identifies a person.")
        return thread_id


def test_for_every_viewer_the_stream_is_within_the_thread_page(app, world, client_for):
    thread_id = busy_post_first_thread(app, world)
    with db(app) as session:
        thread = session.get(Thread, thread_id)
    seen_by = {}
    for user in (world.fac, world.mod, world.ann, world.ben, world.admin):
        client = client_for(user)
        page = page_text(client.get(thread_url(world, thread)))
        sent = posts_in(messages(client.get(stream_url(world, thread_id))))
        assert set(sent) <= article_ids(page), user.display_name
        for html in sent.values():
            # Same markup, same labels: every text the stream sends is on the page.
            for marker in MARKERS:
                assert (marker in html) <= (marker in page), (user.display_name, marker)
            assert ("Ann Example" in html) <= ("Ann Example" in page)
        seen_by[user.display_name] = sent
    # Ann answered, so post-first lets her see the moderator's note, not the held post of
    # anyone else; Ben's answer was hidden, and his own hidden post still shows to him.
    ann_texts = " ".join(seen_by["Ann Example"].values())
    assert MARKERS[1] in ann_texts and MARKERS[3] not in ann_texts
    assert "Ann Example" not in ann_texts  # pseudonymous to peers, her own label says (you)
    assert any(MARKERS[2] in html for html in seen_by["Mo Moderator"].values())
    assert not any(MARKERS[2] in html for html in seen_by["Ben Other"].values())


def test_post_first_holds_live_until_the_member_answers(app, world, client_for):
    with db(app) as session:
        discussion = make_discussion(session, session.get(Group, world.gid),
                                     session.get(User, world.fac.id), post_first=True)
        thread_id = discussion.threads[0].id
        write(session, thread_id, world.ann, "An answer Ben may not read yet.")
    ben = client_for(world.ben)
    assert posts_in(messages(ben.get(stream_url(world, thread_id)))) == {}
    with db(app) as session:
        write(session, thread_id, world.ben, "Ben's own answer.")
    texts = " ".join(posts_in(messages(ben.get(stream_url(world, thread_id)))).values())
    assert "An answer Ben may not read yet." in texts and "Ben's own answer." in texts


def test_a_hidden_post_is_replaced_live_by_the_placeholder_the_page_shows(
        app, world, client_for):
    with db(app) as session:
        post = write(session, world.thread.id, world.ann, "A detail that identifies someone.")
    ben = client_for(world.ben)
    last = messages(ben.get(stream_url(world, world.thread.id)))[-1]["id"]
    with db(app) as session:
        moderation.hide(session, session.get(Post, post.id), session.get(User, world.mod.id),
                        "Identifies a person.")
    (msg,) = messages(ben.get(stream_url(world, world.thread.id, after=last)))
    assert msg["event"] == "post" and msg["data"]["id"] == post.id
    assert "A detail that identifies someone." not in msg["data"]["html"]
    assert "hidden by a moderator" in msg["data"]["html"]
    page = page_text(ben.get(thread_url(world, world.thread)))
    assert "A detail that identifies someone." not in page


def test_a_stage_opening_reaches_participants_with_a_link_to_its_prompt(
        app, world, client_for):
    from casebook.discussion import service

    with db(app) as session:
        discussion = make_discussion(session, session.get(Group, world.gid),
                                     session.get(User, world.fac.id), release=STAGED)
        first_thread = discussion.threads[0].id
        discussion_id = discussion.id
    with db(app) as session:
        from casebook.discussion.models import Discussion

        discussion = session.get(Discussion, discussion_id)
        # The first stage opens with the discussion; the facilitator opens the second.
        service.open_next_stage(session, discussion, session.get(User, world.fac.id))
    ann = client_for(world.ann)
    for url in (stream_url(world, first_thread),
                f"/live/groups/{world.gid}/discussions/{discussion_id}"):
        (msg,) = [m for m in messages(ann.get(url)) if m["event"] == "stage"]
        assert msg["data"]["text"] == "Stage “Stakeholders” is now open."
        assert ann.get(msg["data"]["url"]).status_code == 200
    assert client_for(world.out).get(
        f"/live/groups/{world.gid}/discussions/{discussion_id}").status_code == 404
