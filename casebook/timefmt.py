"""Times are stored in UTC and shown in the viewer's own timezone."""

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_login import current_user

DEFAULT_TIMEZONE = "Europe/London"


def zone_for(user) -> ZoneInfo:
    name = getattr(user, "timezone", None) or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


@cache
def timezone_names() -> list[str]:
    """Place-based IANA zones (Europe/London, ...), without legacy aliases."""
    return sorted(name for name in available_timezones()
                  if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")))


def localtime(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """Jinja filter: ``{{ post.created_at|localtime }}`` -> "3 Mar 2026, 14:05 GMT"."""
    if value is None:
        return ""
    local = _in_zone(value, zone_for(current_user))
    return f"{local.strftime(fmt)} {local.tzname()}"


def formatter_for(user, fmt: str = "%-d %b %Y, %H:%M"):
    """``moment(value)`` -> ``(isotime, localtime)`` in ``user``'s zone, the zone looked up once.

    For pages that print many times (a thread page prints two per post).
    """
    zone = zone_for(user)

    def moment(value: datetime) -> tuple[str, str]:
        local = _in_zone(value, zone)
        return isotime(value), f"{local.strftime(fmt)} {local.tzname()}"

    return moment


def _in_zone(value: datetime, zone) -> datetime:
    """``value`` in ``zone``; in UTC when that would pass year 1 or 9999.

    Forms keep new dates within 2000..2099, but a date stored another way
    (an import, an older version, the database by hand) must still display.
    """
    try:
        return value.astimezone(zone)
    except (OverflowError, ValueError):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def isotime(value: datetime | None) -> str:
    """For <time datetime="...">, machine-readable and unambiguous."""
    return value.isoformat(timespec="seconds") if value else ""


def from_local_input(value: datetime | None, user) -> datetime | None:
    """A naive datetime typed into a form, read in the user's zone, as UTC-aware."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=zone_for(user)).astimezone(UTC)
    except (OverflowError, ValueError):
        # Past year 1 or 9999 once moved to UTC; forms refuse such dates,
        # so this only keeps a direct caller from crashing.
        return value.replace(tzinfo=UTC)


def to_local_input(value: datetime | None, user) -> datetime | None:
    """A stored UTC time as the naive local value a datetime-local field shows."""
    if value is None:
        return None
    return _in_zone(value, zone_for(user)).replace(tzinfo=None)
