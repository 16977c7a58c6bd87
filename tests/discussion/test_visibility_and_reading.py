"""Post-first prompts, pseudonyms, and what is new since a member's last visit."""

import re

from sqlalchemy import select

from casebook.accounts.models import User
from casebook.discussion.models import PSEUDONYMOUS, Discussion
from casebook.groups.models import Membership
from tests.conftest import db
from tests.discussion.conftest import page_text, reply, thread_url, write


def configure(app, w, **settings):
    with db(app) as session:
        discussion = session.get(Discussion, w.discussion.id)
        for key, value in settings.items():
            setattr(discussion, key, value)
        session.commit()


def pseudonym(app, w, user) -> str:
    with db(app) as session:
        return session.scalar(select(Membership).where(
            Membership.group_id == w.gid, Membership.user_id == user.id)).pseudonym


def test_post_first_hides_peers_answers_until_you_answer(app, world, client_for):
    configure(app, world, post_first=True)
    ann, ben = client_for(world.ann), client_for(world.ben)
    assert reply(ann, world, world.thread, "Answer by Ann").status_code == 302
    with db(app) as session:
        write(session, world.thread.id, world.mod, "Note from the moderator")
    before = page_text(ben.get(thread_url(world, world.thread)))
    assert "Post your answer to see what others wrote (2 answers so far)." in before
    assert "Answer by Ann" not in before and "Note from the moderator" not in before
    assert "<article" not in before
    assert 'name="body"' in before
    # Guessing the permalink does not help either.
    first_id = re.search(r'id="post-(\d+)"',
                         page_text(ann.get(thread_url(world, world.thread)))).group(1)
    assert ben.get(f"/groups/{world.gid}/posts/{first_id}").status_code == 404
    # The activity page leaves the thread out for Ben too.
    assert "Answer by Ann" not in page_text(ben.get(f"/groups/{world.gid}/activity"))

    assert reply(ben, world, world.thread, "Answer by Ben").status_code == 302
    after = page_text(ben.get(thread_url(world, world.thread)))
    assert "Post your answer to see" not in after
    assert "Answer by Ann" in after and "Answer by Ben" in after
    assert "Answer by Ann" in page_text(ben.get(f"/groups/{world.gid}/activity"))


def test_post_first_does_not_hide_from_moderators_or_in_member_threads(app, world, client_for):
    configure(app, world, post_first=True, allow_member_threads=True)
    with db(app) as session:
        write(session, world.thread.id, world.ann, "Ann answers the prompt")
    for user in (world.fac, world.mod, world.admin):
        page = page_text(client_for(user).get(thread_url(world, world.thread)))
        assert "Ann answers the prompt" in page
        assert "Post your answer to see" not in page
    # A member's own thread is not a prompt: nothing to answer first.
    ben = client_for(world.ben)
    form = ben.get(f"/groups/{world.gid}/discussions/{world.discussion.id}/threads/new")
    assert form.status_code == 200
    from tests.conftest import csrf_from
    response = ben.post(
        f"/groups/{world.gid}/discussions/{world.discussion.id}/threads/new",
        data={"csrf_token": csrf_from(page_text(form)), "title": "Side question",
              "body": "What about prevention?", "submit": "Start thread"})
    assert response.status_code == 302
    page = page_text(client_for(world.ann).get(response.headers["Location"]))
    assert "What about prevention?" in page and "Post your answer" not in page


def test_pseudonymous_discussion_names_participants_by_number_to_peers(app, world, client_for):
    configure(app, world, identity=PSEUDONYMOUS)
    with db(app) as session:
        write(session, world.thread.id, world.ann, "An answer from Ann")
        write(session, world.thread.id, world.fac, "A facilitator's framing")
    ann_alias = pseudonym(app, world, world.ann)
    peer = page_text(client_for(world.ben).get(thread_url(world, world.thread)))
    assert f'<span class="post-author">{ann_alias}</span>' in peer
    assert "Ann Example" not in peer
    # Staff post under their name, with their role.
    assert ('<span class="post-author">Fay Facilitator</span> '
            '<span class="role-badge">Facilitator</span>') in peer

    for user in (world.fac, world.mod, world.admin):
        staff = page_text(client_for(user).get(thread_url(world, world.thread)))
        assert f'<span class="post-author">{ann_alias} (Ann Example)</span>' in staff

    own = page_text(client_for(world.ann).get(thread_url(world, world.thread)))
    assert f'<span class="post-author">{ann_alias}</span> <span class="you">(you)</span>' in own


def test_promotion_does_not_unmask_what_a_participant_wrote_before(app, world, client_for):
    configure(app, world, identity=PSEUDONYMOUS)
    with db(app) as session:
        write(session, world.thread.id, world.ann, "Written as a participant")
        membership = session.scalar(select(Membership).where(
            Membership.group_id == world.gid, Membership.user_id == world.ann.id))
        membership.role = "moderator"
        session.commit()
        write(session, world.thread.id, world.ann, "Written as a moderator")
    ann_alias = pseudonym(app, world, world.ann)
    peer = page_text(client_for(world.ben).get(thread_url(world, world.thread)))
    assert f'<span class="post-author">{ann_alias}</span>' in peer
    assert ('<span class="post-author">Ann Example</span> '
            '<span class="role-badge">Moderator</span>') in peer
    assert peer.index(ann_alias) < peer.index("Written as a participant")
    assert peer.count("Ann Example") == 1


def test_deleted_account_is_labelled(app, world, client_for):
    with db(app) as session:
        write(session, world.thread.id, world.ben, "Ben was here")
        session.delete(session.get(User, world.ben.id))
        session.commit()
    page = page_text(client_for(world.ann).get(thread_url(world, world.thread)))
    assert '<span class="post-author">Deleted member</span>' in page
    assert "Ben was here" in page and "Ben Other" not in page


def unread_for(client, w, thread) -> int:
    page = page_text(client.get(f"/groups/{w.gid}/discussions/{w.discussion.id}"))
    item = re.search(rf'href="/groups/{w.gid}/threads/{thread.id}">.*?</li>', page, re.S)
    found = re.search(r"(\d+) unread", item.group(0))
    return int(found.group(1)) if found else 0


def test_unread_counts_go_down_after_reading_and_new_posts_are_marked(app, world, client_for):
    with db(app) as session:
        for i in range(3):
            write(session, world.thread.id, world.ben, f"Old {i}")
    ann = client_for(world.ann)
    assert unread_for(ann, world, world.thread) == 3
    first_visit = page_text(ann.get(thread_url(world, world.thread)))
    assert "New since your last visit" not in first_visit
    assert unread_for(ann, world, world.thread) == 0

    with db(app) as session:
        new = [write(session, world.thread.id, world.ben, f"New {i}") for i in range(2)]
    assert unread_for(ann, world, world.thread) == 2
    page = page_text(ann.get(thread_url(world, world.thread)))
    divider = page.index("New since your last visit")
    assert page.index("Old 2") < divider < page.index(f'id="post-{new[0].id}"')
    assert page.count("New since your last visit") == 1
    assert unread_for(ann, world, world.thread) == 0
    # Reading is per person.
    assert unread_for(client_for(world.mod), world, world.thread) == 5
