"""Outsiders learn nothing: every discussion URL is 404 for them, and another
group's ids under this group's URLs are 404 for members too."""

from tests.conftest import db, post_form
from tests.discussion.conftest import write


def urls(gid: int, did: int, tid: int, pid: int) -> list[str]:
    return [
        f"/groups/{gid}/discussions/new",
        f"/groups/{gid}/discussions/{did}",
        f"/groups/{gid}/discussions/{did}/edit",
        f"/groups/{gid}/discussions/{did}/threads/new",
        f"/groups/{gid}/discussions/{did}/transcript.md",
        f"/groups/{gid}/discussions/{did}/transcript.csv",
        f"/groups/{gid}/discussions/{did}/participation.csv",
        f"/groups/{gid}/discussions/{did}/participation",
        f"/groups/{gid}/threads/{tid}",
        f"/groups/{gid}/posts/{pid}",
        f"/groups/{gid}/posts/{pid}/edit",
        f"/groups/{gid}/posts/{pid}/delete",
        f"/groups/{gid}/posts/{pid}/history",
        f"/groups/{gid}/activity",
    ]


def post_urls(gid: int, tid: int, pid: int) -> list[str]:
    return [f"/groups/{gid}/threads/{tid}/posts", f"/groups/{gid}/posts/{pid}/delete",
            f"/groups/{gid}/posts/{pid}/edit"]


def test_outsiders_and_signed_out_visitors_get_404_everywhere(app, world, client_for):
    with db(app) as session:
        post = write(session, world.thread.id, world.ann, "Members only")
    for client in (client_for(world.out), client_for(None)):
        for url in urls(world.gid, world.discussion.id, world.thread.id, post.id):
            assert client.get(url).status_code == 404, url
    outsider = client_for(world.out)
    for url in post_urls(world.gid, world.thread.id, post.id):
        response = post_form(outsider, "/", url, {"body": "let me in", "submit": "Post"})
        assert response.status_code == 404, url
    # Nor does a group id that does not exist differ from one that does.
    assert outsider.get(f"/groups/999999/threads/{world.thread.id}").status_code == 404


def test_another_groups_objects_under_this_groups_urls_are_404(app, world, client_for):
    with db(app) as session:
        theirs = write(session, world.other_thread.id, world.out, "Other group's post")
    ann, fac = client_for(world.ann), client_for(world.fac)
    mixed = urls(world.gid, world.other_discussion.id, world.other_thread.id, theirs.id)
    for client in (ann, fac):
        for url in mixed:
            if url.endswith(("/discussions/new", "/activity")):
                continue
            assert client.get(url).status_code == 404, url
        for url in post_urls(world.gid, world.other_thread.id, theirs.id):
            response = post_form(client, "/", url, {"body": "crossing over", "submit": "Post"})
            assert response.status_code == 404, url
    # The owner of the other group still reaches it under its own group.
    out = client_for(world.out)
    assert out.get(f"/groups/{world.other_group.id}/posts/{theirs.id}").status_code == 302
