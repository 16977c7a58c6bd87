"""The moderation log: what it shows, its filters and pages, and that it is append-only."""

import re

import pytest
from sqlalchemy import delete, select, update

from casebook.accounts.service import delete_account
from casebook.moderation import service
from casebook.moderation.models import AppendOnlyError, ModerationAction
from tests.conftest import ANY_PAGE, post_form
from tests.factories import PASSWORD, post
from tests.moderation.conftest import refresh


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_the_log_shows_who_did_what_to_whom_and_why_newest_first(session, world, client_for):
    p = post(session, world.thread, world.ann, "Post to hide.")
    mod = client_for(world.mod)
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{p.id}/hide",
              {"reason": "Names a real person"})
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/threads/{world.thread.id}/lock")
    html = mod.get(f"/groups/{world.gid}/moderation/log").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 2
    assert "Locked thread" in rows[0]
    assert "Hid post" in rows[1]
    assert "Mo Moderator" in rows[1] and "Ann Example" in rows[1]
    assert "Names a real person" in rows[1]
    assert f'href="/groups/{world.gid}/posts/{p.id}"' in rows[1]
    assert "<time datetime=" in rows[1]
    assert "2 entries" in html


def test_filters_by_action_and_member_and_can_be_cleared(session, world, client_for):
    a = post(session, world.thread, world.ann, "Ann's post.")
    b = post(session, world.thread, world.ben, "Ben's post.")
    mod = client_for(world.mod)
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{a.id}/hide", {"reason": "A"})
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{b.id}/hide", {"reason": "B"})
    post_form(mod, ANY_PAGE, f"/groups/{world.gid}/posts/{a.id}/restore")
    url = f"/groups/{world.gid}/moderation/log"

    html = mod.get(url).get_data(as_text=True)
    assert '<option value="hid post">Hid post</option>' in html
    assert '<option value="restored post">Restored post</option>' in html
    assert f'<option value="{world.ben.id}">Ben Other</option>' in html
    assert "Clear filters" not in html

    html = mod.get(f"{url}?action=hid+post").get_data(as_text=True)
    assert len(_rows(html)) == 2 and "Restored post" not in "".join(_rows(html))
    assert '<option selected value="hid post">' in html or \
        '<option value="hid post" selected>' in html
    assert f'href="{url}">Clear filters</a>' in html

    html = mod.get(f"{url}?member={world.ben.id}").get_data(as_text=True)
    [row] = _rows(html)
    assert "Ben Other" in row and ">B<" in row

    html = mod.get(f"{url}?action=hid+post&member={world.ann.id}").get_data(as_text=True)
    [row] = _rows(html)
    assert ">A<" in row

    html = mod.get(f"{url}?action=pinned+post").get_data(as_text=True)
    assert "No entries match these filters." in html


def test_the_log_has_pages_of_fifty(session, world, client_for):
    for _ in range(26):
        service.lock(session, world.thread, world.mod)
        service.unlock(session, world.thread, world.mod)
    mod = client_for(world.mod)
    url = f"/groups/{world.gid}/moderation/log"
    first = mod.get(url).get_data(as_text=True)
    assert len(_rows(first)) == 50 and "page 1 of 2" in first
    assert "Older entries" in first and "Newer entries" not in first
    second = mod.get(f"{url}?page=2").get_data(as_text=True)
    assert len(_rows(second)) == 2 and "Newer entries" in second
    filtered = mod.get(f"{url}?action=locked+thread&page=1").get_data(as_text=True)
    assert len(_rows(filtered)) == 26


def test_automatic_entries_name_no_person(session, world, client_for):
    service.add_word(session, world.group, world.fac, "Ridgeway", "hold")
    post(session, world.thread, world.ann, "Ridgeway again")
    html = client_for(world.fac).get(f"/groups/{world.gid}/moderation/log").get_data(
        as_text=True)
    assert "Automatic (watched word)" in html


def test_site_admins_read_the_log_and_queue_but_cannot_act(session, world, client_for):
    world.group.premoderation = "all"
    session.commit()
    held = post(session, world.thread, world.ann, "Held.")
    admin = client_for(world.admin)
    assert admin.get(f"/groups/{world.gid}/moderation/log").status_code == 200
    queue = admin.get(f"/groups/{world.gid}/moderation").get_data(as_text=True)
    assert "read-only" in queue and "Held." in queue
    assert "Approve" not in queue
    assert post_form(admin, ANY_PAGE,
                     f"/groups/{world.gid}/posts/{held.id}/approve").status_code == 403


def test_log_entries_cannot_be_changed_or_deleted_through_the_orm(session, world):
    entry = service.log(session, world.gid, world.mod, "hid post", reason="Original")
    session.commit()

    entry.reason = "Rewritten"
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()

    session.delete(session.get(ModerationAction, entry.id))
    with pytest.raises(AppendOnlyError):
        session.flush()
    session.rollback()

    with pytest.raises(AppendOnlyError):
        session.execute(update(ModerationAction).values(reason="Bulk"))
    session.rollback()
    with pytest.raises(AppendOnlyError):
        session.execute(delete(ModerationAction))
    session.rollback()

    refresh(session)
    assert [e.reason for e in session.scalars(select(ModerationAction))] == ["Original"]


def test_entries_outlive_the_accounts_they_name(session, world):
    p = post(session, world.thread, world.ann, "Soon hidden.")
    service.hide(session, p, world.mod, "Reason kept")
    delete_account(session, world.mod, PASSWORD)
    delete_account(session, world.ann, PASSWORD)
    refresh(session)
    [entry] = session.scalars(select(ModerationAction))
    assert (entry.action, entry.actor_id, entry.target_user_id, entry.reason) == (
        "hid post", None, None, "Reason kept")
