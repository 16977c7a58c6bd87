"""Times are stored in UTC and shown in the viewer's own timezone."""

from datetime import datetime
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
    local = value.astimezone(zone_for(current_user))
    return f"{local.strftime(fmt)} {local.tzname()}"


def isotime(value: datetime | None) -> str:
    """For <time datetime="...">, machine-readable and unambiguous."""
    return value.isoformat(timespec="seconds") if value else ""


def from_local_input(value: datetime | None, user) -> datetime | None:
    """A naive datetime typed into a form, read in the user's zone, as UTC-aware."""
    if value is None:
        return None
    return value.replace(tzinfo=zone_for(user))


def to_local_input(value: datetime | None, user) -> datetime | None:
    """A stored UTC time as the naive local value a datetime-local field shows."""
    if value is None:
        return None
    return value.astimezone(zone_for(user)).replace(tzinfo=None)
