"""Dates at the ends of the calendar: stored ones always display, typed ones are
refused with a field error, in timezones on both sides of UTC."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from casebook.accounts.models import User
from casebook.discussion.models import Discussion
from casebook.forms import DATE_MESSAGE
from casebook.groups.models import Group
from casebook.timefmt import from_local_input, to_local_input
from tests.conftest import csrf_token, db, signed_in
from tests.factories import seminar

ZONES = ["Pacific/Kiritimati", "Asia/Tokyo", "UTC", "America/New_York", "Pacific/Pago_Pago"]
FAR_FUTURE = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
FAR_PAST = datetime(1, 1, 1, 0, 0, tzinfo=UTC)
TYPED = ["9999-12-31T23:59", "0001-01-01T00:00", "1999-12-31T23:59", "2100-01-01T00:00"]


@pytest.fixture
def world(app, cases):
    with db(app) as session:
        return seminar(session)


def _set_zone(app, users, zone):
    with db(app) as session:
        for user in users:
            session.get(User, user.id).timezone = zone
        session.commit()


def _store(app, w, *, opens, closes, expires):
    """Straight into the database, as an import or a hand edit would."""
    with db(app) as session:
        discussion = session.get(Discussion, w.discussion.id)
        discussion.opens_at, discussion.closes_at = opens, closes
        session.get(Group, w.gid).join_code_expires_at = expires
        session.commit()


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("opens", "closes", "expires"), [
    (FAR_PAST, FAR_FUTURE, FAR_FUTURE),   # open until the end of time
    (FAR_FUTURE, None, FAR_PAST),         # scheduled far ahead; code long expired
    (FAR_PAST, FAR_PAST, FAR_PAST),       # closed since year 1
], ids=["open", "scheduled", "closed"])
def test_stored_extreme_dates_still_render(app, world, zone, opens, closes, expires):
    _set_zone(app, [world.fac, world.ann], zone)
    _store(app, world, opens=opens, closes=closes, expires=expires)
    g, d, t = world.gid, world.discussion.id, world.thread.id
    pages = {
        world.fac: [f"/groups/{g}", f"/groups/{g}/discussions/{d}",
                    f"/groups/{g}/threads/{t}", f"/groups/{g}/discussions/{d}/edit",
                    f"/groups/{g}/settings", "/groups/"],
        world.ann: [f"/groups/{g}", "/groups/"],
    }
    if opens != FAR_FUTURE:  # a scheduled discussion is hidden from participants
        pages[world.ann] += [f"/groups/{g}/discussions/{d}", f"/groups/{g}/threads/{t}"]
    for user, urls in pages.items():
        client = signed_in(app, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user.display_name, url, response.status_code)
    # The far date is shown (in UTC when the viewer's zone cannot hold it).
    html = signed_in(app, world.fac).get(f"/groups/{g}/discussions/{d}").get_data(as_text=True)
    assert ("9999" if closes == FAR_FUTURE or opens == FAR_FUTURE else "0001") in html


@pytest.mark.parametrize("zone", ZONES)
def test_extreme_dates_typed_into_forms_are_refused(app, world, zone):
    _set_zone(app, [world.fac], zone)
    fay = signed_in(app, world.fac)
    g, d = world.gid, world.discussion.id
    for typed in TYPED:
        for field in ("opens_at", "closes_at"):
            response = fay.post(f"/groups/{g}/discussions/{d}/edit", data={
                "csrf_token": csrf_token(fay), "title": "Renamed", field: typed,
                "identity": "named"})
            assert response.status_code == 422, (typed, field)
            assert DATE_MESSAGE in response.get_data(as_text=True)
        response = fay.post(f"/groups/{g}/discussions/new", data={
            "csrf_token": csrf_token(fay), "case_id": str(world.discussion.case_id),
            "opens_at": typed, "identity": "named"})
        assert response.status_code == 422, typed
        assert DATE_MESSAGE in response.get_data(as_text=True)
        response = fay.post(f"/groups/{g}/code/expiry", data={
            "csrf_token": csrf_token(fay), "expires_at": typed})
        assert response.status_code == 422, typed
        assert DATE_MESSAGE in response.get_data(as_text=True)
    with db(app) as session:
        discussion = session.get(Discussion, d)
        assert discussion.title != "Renamed"
        assert (discussion.opens_at, discussion.closes_at) == (
            world.discussion.opens_at, world.discussion.closes_at)
        assert session.scalar(select(Discussion).where(Discussion.group_id == g)
                              .where(Discussion.id != d)) is None
        assert session.get(Group, g).join_code_expires_at is None


@pytest.mark.parametrize("zone", ZONES)
def test_dates_inside_the_range_are_accepted(app, world, zone):
    _set_zone(app, [world.fac], zone)
    fay = signed_in(app, world.fac)
    response = fay.post(f"/groups/{world.gid}/code/expiry", data={
        "csrf_token": csrf_token(fay), "expires_at": "2099-12-31T23:59"})
    assert response.status_code == 302
    with db(app) as session:
        stored = session.get(Group, world.gid).join_code_expires_at
        assert to_local_input(stored, session.get(User, world.fac.id)) == datetime(
            2099, 12, 31, 23, 59)


@pytest.mark.parametrize("zone", ZONES)
def test_conversions_never_raise_at_the_ends_of_the_calendar(zone):
    from types import SimpleNamespace

    user = SimpleNamespace(timezone=zone)
    for naive in (datetime(9999, 12, 31, 23, 59), datetime(1, 1, 1, 0, 0)):
        assert from_local_input(naive, user).tzinfo is not None
    for stored in (FAR_FUTURE, FAR_PAST):
        assert to_local_input(stored, user) is not None
