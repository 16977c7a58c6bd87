"""Writing posts: the reply form, preview, replies, permalinks, limits and refusals."""

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from casebook.discussion.models import MAX_POST_LENGTH, PENDING, Post, Thread
from casebook.groups.models import Group, Membership
from casebook.moderation.models import WatchedWord
from tests.conftest import csrf_from, db, post_form
from tests.discussion.conftest import form_value, page_text, reply, thread_url, write


def posts_in(app, thread_id: int) -> list[Post]:
    with db(app) as session:
        return list(session.scalars(select(Post).where(Post.thread_id == thread_id)
                                    .order_by(Post.id)))


def post_action(w, thread) -> str:
    return f"/groups/{w.gid}/threads/{thread.id}/posts"


def test_post_then_reply_quotes_the_post_it_answers(app, world, client_for):
    ann, ben = client_for(world.ann), client_for(world.ben)
    response = reply(ann, world, world.thread, "Exposure is *not* justice.")
    assert response.status_code == 302
    first = posts_in(app, world.thread.id)[0]
    assert response.headers["Location"].endswith(
        f"/threads/{world.thread.id}?page=1#post-{first.id}")

    # Ben follows the Reply link: the form knows what he is answering.
    form = page_text(ben.get(thread_url(world, world.thread, reply_to=first.id)))
    assert f'name="reply_to" type="hidden" value="{first.id}"' in form
    assert re.search(r"Replying to <span class=\"post-author\">Ann Example</span>", form)
    assert "Cancel reply</a>" in form
    data = {"csrf_token": csrf_from(form), "body": "I disagree.", "reply_to": str(first.id),
            "submission_key": form_value(form, "submission_key"), "submit": "Post"}
    assert ben.post(post_action(world, world.thread), data=data).status_code == 302

    second = posts_in(app, world.thread.id)[1]
    assert second.reply_to_id == first.id and second.number == 2
    page = page_text(ben.get(thread_url(world, world.thread)))
    ref = re.search(r'<p class="reply-ref">(.*?)</p>', page, re.S).group(1)
    assert f'href="/groups/{world.gid}/posts/{first.id}"' in ref
    assert "Ann Example (#1)" in ref
    assert "<q>Exposure is not justice.</q>" in ref


def test_reply_to_a_post_of_another_thread_is_ignored(app, world, client_for):
    other = world.discussion.threads[1]
    with db(app) as session:
        elsewhere = write(session, other.id, world.ben, "Elsewhere")
    response = reply(client_for(world.ann), world, world.thread, "Hi",
                     reply_to=str(elsewhere.id))
    assert response.status_code == 302
    assert posts_in(app, world.thread.id)[0].reply_to_id is None


def test_permalink_lands_on_the_page_that_holds_the_post(app, world, client_for):
    with db(app) as session:
        ids = [write(session, world.thread.id, (world.ann, world.ben)[i % 2], f"Post {i + 1}").id
               for i in range(120)]
    ann = client_for(world.ann)
    response = ann.get(f"/groups/{world.gid}/posts/{ids[74]}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/threads/{world.thread.id}?page=2#post-{ids[74]}")
    page = page_text(ann.get(response.headers["Location"]))
    assert f'id="post-{ids[74]}"' in page
    assert f'id="post-{ids[49]}"' not in page and f'id="post-{ids[100]}"' not in page
    # Page links: previous, numbers, next; the current page is marked.
    nav = re.search(r'<nav class="pagination" aria-label="Pages">(.*?)</nav>', page, re.S)
    assert nav, "no pagination"
    assert ">Previous</a>" in nav.group(1) and ">Next</a>" in nav.group(1)
    assert re.search(r'page=2"\s+aria-current="page">', nav.group(1))
    assert len(re.findall(r'<article class="post', page)) == 50
    assert f'id="post-{ids[119]}"' in page_text(ann.get(thread_url(world, world.thread, page=3)))


def test_the_same_form_submitted_twice_makes_one_post(app, world, client_for):
    ann = client_for(world.ann)
    form = page_text(ann.get(thread_url(world, world.thread)))
    data = {"csrf_token": csrf_from(form), "body": "Only once, please.",
            "submission_key": form_value(form, "submission_key"), "submit": "Post"}
    first = ann.post(post_action(world, world.thread), data=data)
    second = ann.post(post_action(world, world.thread), data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert [p.body_md for p in posts_in(app, world.thread.id)] == ["Only once, please."]
    # A newly loaded form gets a new key, so the next post is a new one.
    assert reply(ann, world, world.thread, "A second thought").status_code == 302
    assert len(posts_in(app, world.thread.id)) == 2


def test_too_long_and_empty_posts_are_field_errors_that_keep_the_text(app, world, client_for):
    ann = client_for(world.ann)
    long_text = "word " * (MAX_POST_LENGTH // 5) + "overflow"
    response = reply(ann, world, world.thread, long_text)
    assert response.status_code == 422
    page = page_text(response)
    count = f"{len(long_text.strip()):,}"
    assert re.search(r'id="body-error">Posts can be up to 10,000 characters; this one has '
                     + count, page)
    assert 'aria-invalid="true"' in page
    assert "overflow</textarea>" in page

    empty = reply(ann, world, world.thread, "   ")
    assert empty.status_code == 422
    assert 'id="body-error">Write something before posting.' in page_text(empty)
    assert posts_in(app, world.thread.id) == []


def test_preview_shows_the_rendered_text_and_stores_nothing(app, world, client_for):
    ann = client_for(world.ann)
    response = reply(ann, world, world.thread, "Some **bold** idea", submit="",
                     preview="Preview")
    assert response.status_code == 200
    page = page_text(response)
    box = re.search(r'<section class="preview".*?</section>', page, re.S).group(0)
    assert "<strong>bold</strong>" in box
    assert "Some **bold** idea</textarea>" in page
    assert posts_in(app, world.thread.id) == []


def test_a_blocked_phrase_is_refused_and_the_text_stays_in_the_form(app, world, client_for):
    with db(app) as session:
        session.add(WatchedWord(group_id=world.gid, phrase="John Smith", action="block"))
        session.commit()
    response = reply(client_for(world.ann), world, world.thread,
                     "I think john  smith was the man in the video.")
    assert response.status_code == 422
    page = html.unescape(page_text(response))
    assert re.search(r'id="body-error">This group does not allow “John Smith” in posts', page)
    assert "I think john  smith was the man in the video.</textarea>" in page
    assert posts_in(app, world.thread.id) == []


def test_held_post_tells_the_author_and_waits_for_approval(app, world, client_for):
    with db(app) as session:
        session.get(Group, world.gid).premoderation = "all"
        session.commit()
    ann = client_for(world.ann)
    response = reply(ann, world, world.thread, "Held for a moment")
    assert response.status_code == 302
    page = page_text(ann.get(response.headers["Location"]))
    assert "Your post is waiting for a moderator&#39;s approval." in page
    assert "Awaiting approval by a moderator" in page
    (post,) = posts_in(app, world.thread.id)
    assert post.status == PENDING
    assert "Held for a moment" not in page_text(client_for(world.ben).get(
        thread_url(world, world.thread)))
    assert "Held for a moment" in page_text(client_for(world.mod).get(
        thread_url(world, world.thread)))


def test_muted_member_has_no_form_and_is_refused(app, world, client_for):
    with db(app) as session:
        membership = session.scalar(select(Membership).where(
            Membership.group_id == world.gid, Membership.user_id == world.ann.id))
        membership.muted_until = datetime.now(UTC) + timedelta(hours=2)
        session.commit()
    ann = client_for(world.ann)
    page = page_text(ann.get(thread_url(world, world.thread)))
    assert "You are muted until <time" in page
    assert 'name="body"' not in page
    response = post_form(ann, thread_url(world, world.thread), post_action(world, world.thread),
                         {"body": "Let me speak", "submit": "Post"})
    assert response.status_code == 403
    assert posts_in(app, world.thread.id) == []


def test_locked_thread_has_no_form_and_is_refused(app, world, client_for):
    with db(app) as session:
        session.get(Thread, world.thread.id).locked = True
        session.commit()
    ben = client_for(world.ben)
    page = page_text(ben.get(thread_url(world, world.thread)))
    assert "This thread is locked by a moderator." in page
    assert 'name="body"' not in page
    response = post_form(ben, thread_url(world, world.thread), post_action(world, world.thread),
                         {"body": "Still here", "submit": "Post"})
    assert response.status_code == 403
    # The lock is per thread: the next prompt still takes posts.
    assert reply(ben, world, world.discussion.threads[1], "Fine").status_code == 302


def test_site_admin_reads_but_cannot_post(app, world, client_for):
    admin = client_for(world.admin)
    page = page_text(admin.get(thread_url(world, world.thread)))
    assert "you can read but not post" in page
    response = post_form(admin, thread_url(world, world.thread), post_action(world, world.thread),
                         {"body": "Support note", "submit": "Post"})
    assert response.status_code == 403
    with db(app) as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 0


def test_pagination_links_first_last_and_two_either_side_with_gaps_between(app):
    macro = """{% from "discussion/_macros.html" import pagination %}
{{ pagination(page, pages, 'discussion.thread', {'group_id': 1, 'thread_id': 2}) }}"""
    with app.test_request_context():
        template = app.jinja_env.from_string(macro)
        for pages in range(1, 13):
            for page in range(1, pages + 1):
                nav = template.render(page=page, pages=pages)
                linked = [int(n) for n in re.findall(r'</span>(\d+)</a>', nav)]
                wanted = [n for n in range(1, pages + 1)
                          if n in (1, pages) or abs(n - page) <= 2] if pages > 1 else []
                assert linked == wanted, (page, pages)
                gaps = nav.count("pagination-gap")
                assert gaps == (page - 2 > 2) + (page + 2 < pages - 1), (page, pages)
