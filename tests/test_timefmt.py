"""Stored UTC times shown, and typed, in the viewer's timezone."""

from datetime import UTC, datetime
from types import SimpleNamespace

from casebook.timefmt import from_local_input, to_local_input, zone_for


def test_a_typed_local_time_is_stored_as_the_matching_utc_instant():
    new_york = SimpleNamespace(timezone="America/New_York")
    typed = datetime(2026, 7, 1, 9, 30)  # 09:30 EDT, UTC-4
    stored = from_local_input(typed, new_york)
    assert stored.astimezone(UTC) == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    assert to_local_input(stored, new_york) == typed


def test_an_unknown_zone_falls_back_to_london():
    assert zone_for(SimpleNamespace(timezone="Not/AZone")).key == "Europe/London"
