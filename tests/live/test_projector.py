"""The facilitator's projector view: what it shows the room, and who may open it."""

from casebook.accounts.models import User
from casebook.discussion.models import Post
from casebook.groups.models import Group
from casebook.moderation import service as moderation
from tests.conftest import db, post_form
from tests.discussion.conftest import page_text, thread_url, write
from tests.factories import make_discussion
from tests.live.test_stream import messages


def projector_url(w, discussion_id: int) -> str:
    return f"/groups/{w.gid}/discussions/{discussion_id}/projector"


def pseudonymous(app, w):
    with db(app) as session:
        discussion = make_discussion(session, session.get(Group, w.gid),
                                     session.get(User, w.fac.id), identity="pseudonymous")
        thread = discussion.threads[0]
        post = write(session, thread.id, w.ann, "Exposure online is not a trial.")
        group = session.get(Group, w.gid)
        return discussion.id, thread, post.id, group.join_code, thread.prompt.text_html


def test_only_the_facilitator_opens_the_projector(app, world, client_for):
    url = projector_url(world, world.discussion.id)
    assert client_for(world.fac).get(url).status_code == 200
    for user in (world.mod, world.ann, world.admin):
        assert client_for(user).get(url).status_code == 403
    assert client_for(world.out).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 404


def test_the_projector_shows_prompts_answers_and_the_join_code_with_its_qr(
        app, world, client_for):
    discussion_id, _thread, _post_id, code, prompt_html = pseudonymous(app, world)
    page = page_text(client_for(world.fac).get(projector_url(world, discussion_id)))
    assert prompt_html in page
    assert '<span class="screen-number">1</span> answer' in page
    assert code and code in page
    assert 'role="img" aria-label="QR code that opens the invite link' in page
    assert "<svg" in page and "<path" in page


def test_a_post_put_on_screen_shows_under_its_pseudonym_until_taken_down_or_hidden(
        app, world, client_for):
    discussion_id, thread, post_id, _code, _prompt = pseudonymous(app, world)
    fac = client_for(world.fac)
    page = page_text(fac.get(thread_url(world, thread)))
    assert "Show on projector" in page
    action = f"/groups/{world.gid}/posts/{post_id}/projector"
    assert post_form(fac, thread_url(world, thread), action).status_code == 302
    assert "Remove from screen" in page_text(fac.get(thread_url(world, thread)))

    screen = page_text(fac.get(projector_url(world, discussion_id)))
    assert "Exposure online is not a trial." in screen
    # The room sees what peers see: the pseudonym, never Ann's name.
    assert "Ann Example" not in screen and "Participant" in screen

    # The stream sends the new screen once a change is logged.
    stream = messages(fac.get(f"/live{projector_url(world, discussion_id)}"))
    assert stream[-1]["event"] == "screen"
    assert "Exposure online is not a trial." in stream[-1]["data"]["html"]

    with db(app) as session:
        moderation.hide(session, session.get(Post, post_id), session.get(User, world.mod.id),
                        "Names a person.")
    assert "Exposure online" not in page_text(fac.get(projector_url(world, discussion_id)))
    with db(app) as session:
        moderation.restore(session, session.get(Post, post_id), session.get(User, world.mod.id))
    assert "Exposure online" in page_text(fac.get(projector_url(world, discussion_id)))
    assert post_form(fac, thread_url(world, thread), action + "/remove").status_code == 302
    assert "Exposure online" not in page_text(fac.get(projector_url(world, discussion_id)))


def test_participants_and_moderators_may_not_put_posts_on_screen(app, world, client_for):
    _discussion_id, thread, post_id, _code, _prompt = pseudonymous(app, world)
    action = f"/groups/{world.gid}/posts/{post_id}/projector"
    mod = client_for(world.mod)
    assert "Show on projector" not in page_text(mod.get(thread_url(world, thread)))
    assert post_form(mod, thread_url(world, thread), action).status_code == 403
    assert post_form(client_for(world.ben), thread_url(world, thread), action).status_code == 403


def test_the_facilitator_reveals_the_polls_counts_on_screen_and_hides_them(
        app, world, client_for):
    from casebook.discussion.models import Discussion
    from casebook.polls import service as polls
    from casebook.polls.models import BEFORE

    with db(app) as session:
        discussion = session.get(Discussion, world.discussion.id)
        statements = polls.positions(session, discussion)
        for user, value in ((world.ann, 1), (world.ben, 5)):
            polls.save_answers(session, discussion, session.get(User, user.id), BEFORE,
                               {p.id: (value, "my own reason") for p in statements})
        first = statements[0].text
    fac = client_for(world.fac)
    url = projector_url(world, world.discussion.id)
    screen = page_text(fac.get(url))
    assert "Poll counts on screen" in screen and first not in screen

    assert post_form(fac, url, f"{url}/poll", {"show": "before"}).status_code == 302
    screen = page_text(fac.get(url))
    assert "Where the group stood before the discussion" in screen
    assert first in screen
    assert "Before: 1" in screen and "After:" not in screen
    assert "my own reason" not in screen

    post_form(fac, url, f"{url}/poll", {"show": "after"})
    assert "Where the group stood, before and after" in page_text(fac.get(url))
    post_form(fac, url, f"{url}/poll", {"show": "none"})
    assert first not in page_text(fac.get(url))
    assert post_form(fac, url, f"{url}/poll", {"show": "everything"}).status_code == 400

    # Nobody else may change the screen.
    for user in (world.mod, world.ann):
        client = client_for(user)
        assert post_form(client, thread_url(world, world.thread), f"{url}/poll",
                         {"show": "before"}).status_code == 403
    assert post_form(client_for(world.out), "/", f"{url}/poll",
                     {"show": "before"}).status_code == 404
