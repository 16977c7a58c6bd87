"""Editing and deleting one's posts, the edit history, and what each status shows."""

import re

from casebook.discussion.models import (
    HIDDEN,
    PENDING,
    POSTS_PER_PAGE,
    REJECTED,
    REMOVED,
    Post,
    PostRevision,
)
from tests.conftest import db, post_form
from tests.discussion.conftest import page_text, thread_url, write


def post_url(w, post, action: str = "") -> str:
    return f"/groups/{w.gid}/posts/{post.id}" + (f"/{action}" if action else "")


def article(page: str, post) -> str:
    match = re.search(rf'<article[^>]*id="post-{post.id}">(.*?)</article>', page, re.S)
    assert match, f"post {post.id} is not on the page"
    return match.group(1)


def test_editing_marks_the_post_and_keeps_history_for_moderators(app, world, client_for):
    with db(app) as session:
        post = write(session, world.thread.id, world.ann, "First <thought> draft")
    ann = client_for(world.ann)
    form = page_text(ann.get(post_url(world, post, "edit")))
    assert "First &lt;thought&gt; draft</textarea>" in form
    response = post_form(ann, post_url(world, post, "edit"), post_url(world, post, "edit"),
                         {"body": "Second, better draft", "submit": "Save changes"})
    assert response.status_code == 302
    page = page_text(ann.get(thread_url(world, world.thread)))
    mine = article(page, post)
    assert "Second, better draft" in mine and "First" not in mine
    assert re.search(r'class="edited">edited <time datetime="', mine)
    assert "Edit history" not in mine  # the author does not get the history link

    mod_page = page_text(client_for(world.mod).get(thread_url(world, world.thread)))
    assert f'href="{post_url(world, post, "history")}">Edit history</a>' in mod_page
    history = client_for(world.mod).get(post_url(world, post, "history"))
    assert history.status_code == 200
    text = page_text(history)
    assert '<pre class="markdown-source">First &lt;thought&gt; draft</pre>' in text
    assert '<pre class="markdown-source">Second, better draft</pre>' in text
    assert client_for(world.admin).get(post_url(world, post, "history")).status_code == 200
    for user in (world.ann, world.ben):
        assert client_for(user).get(post_url(world, post, "history")).status_code == 403
    with db(app) as session:
        assert session.query(PostRevision).filter_by(post_id=post.id).count() == 1


def test_edit_preview_and_refusals(app, world, client_for):
    with db(app) as session:
        post = write(session, world.thread.id, world.ann, "Original")
    ann = client_for(world.ann)
    url = post_url(world, post, "edit")
    preview = post_form(ann, url, url, {"body": "*Changed*", "preview": "Preview"})
    assert preview.status_code == 200
    assert "<em>Changed</em>" in page_text(preview)
    empty = post_form(ann, url, url, {"body": "", "submit": "Save changes"})
    assert empty.status_code == 422
    assert "Write something before posting." in page_text(empty)
    with db(app) as session:
        assert session.get(Post, post.id).body_md == "Original"
    # Only the author edits.
    assert client_for(world.ben).get(url).status_code == 403
    assert client_for(world.mod).get(url).status_code == 403


def test_deleting_asks_first_then_leaves_a_placeholder(app, world, client_for):
    with db(app) as session:
        post = write(session, world.thread.id, world.ann, "Regrettable words")
        answer = write(session, world.thread.id, world.ben, "A reply",
                       reply_to=session.get(Post, post.id))
    ann = client_for(world.ann)
    confirm = ann.get(post_url(world, post, "delete"))
    assert confirm.status_code == 200
    assert "<h1>Delete this post?</h1>" in page_text(confirm)
    assert client_for(world.ben).get(post_url(world, post, "delete")).status_code == 403
    response = post_form(ann, post_url(world, post, "delete"), post_url(world, post, "delete"))
    assert response.status_code == 302
    with db(app) as session:
        assert session.get(Post, post.id).status == REMOVED
    page = page_text(client_for(world.ben).get(thread_url(world, world.thread)))
    gone = article(page, post)
    assert "This post was removed by its author." in gone
    assert "Regrettable" not in page
    assert "that post was removed by its author." in article(page, answer)


def test_status_placeholders_for_each_viewer(app, world, client_for):
    with db(app) as session:
        hidden = write(session, world.thread.id, world.ann, "Hidden words")
        pending = write(session, world.thread.id, world.ann, "Pending words")
        rejected = write(session, world.thread.id, world.ann, "Rejected words")
        for post, status, reason in ((hidden, HIDDEN, "Names a real person"),
                                     (pending, PENDING, None),
                                     (rejected, REJECTED, "Off-topic")):
            row = session.get(Post, post.id)
            row.status, row.moderation_reason = status, reason
            if status == REJECTED:
                row.number = None
        session.commit()
    url = thread_url(world, world.thread)
    author = page_text(client_for(world.ann).get(url))
    assert "Hidden by a moderator: Names a real person" in article(author, hidden)
    assert "Hidden words" in article(author, hidden)
    assert "Awaiting approval by a moderator" in article(author, pending)
    assert "Not approved: Off-topic" in article(author, rejected)

    peer = page_text(client_for(world.ben).get(url))
    assert "This post was hidden by a moderator." in article(peer, hidden)
    assert "Hidden words" not in peer and "Names a real person" not in peer
    assert "Pending words" not in peer and f'id="post-{pending.id}"' not in peer
    assert "Rejected words" not in peer
    # Pages that a peer can't see don't resolve either.
    assert client_for(world.ben).get(post_url(world, pending)).status_code == 404
    assert client_for(world.ben).get(post_url(world, rejected)).status_code == 404

    moderator = page_text(client_for(world.mod).get(url))
    assert "Hidden words" in article(moderator, hidden)
    assert "Pending words" in article(moderator, pending)


def test_pending_posts_wait_on_the_last_page(app, world, client_for):
    with db(app) as session:
        for i in range(POSTS_PER_PAGE + 1):
            write(session, world.thread.id, world.ben, f"Post {i}")
        held = write(session, world.thread.id, world.ann, "Held reply")
        row = session.get(Post, held.id)
        row.status, row.number = PENDING, None
        session.commit()
    ann = client_for(world.ann)
    response = ann.get(post_url(world, held))
    assert response.headers["Location"].endswith(f"?page=2#post-{held.id}")
    assert "Held reply" in page_text(ann.get(response.headers["Location"]))


def test_pinned_post_is_shown_first_in_its_own_box(app, world, client_for):
    from casebook.discussion.models import Discussion, Thread

    with db(app) as session:
        write(session, world.thread.id, world.ann, "An ordinary answer")
        pinned = write(session, world.thread.id, world.fac, "Ground rules for this prompt")
        session.get(Thread, world.thread.id).pinned_post_id = pinned.id
        session.commit()
    page = page_text(client_for(world.ben).get(thread_url(world, world.thread)))
    box = re.search(r'<section class="pinned".*?</section>', page, re.S)
    assert box and '<h2 id="pinned-heading">Pinned</h2>' in box.group(0)
    assert "Ground rules for this prompt" in box.group(0)
    assert f'id="pinned-post-{pinned.id}"' in box.group(0)
    assert page.index("Ground rules") < page.index("An ordinary answer")
    # It keeps its place in the thread too, under its own anchor.
    assert f'id="post-{pinned.id}"' in page
    # Post-first: a participant who has not answered sees no pinned answer either.
    with db(app) as session:
        session.get(Discussion, world.discussion.id).post_first = True
        session.commit()
    page = page_text(client_for(world.ben).get(thread_url(world, world.thread)))
    assert "Ground rules" not in page and 'class="pinned"' not in page
