"""Ids from URLs, query strings and forms, kept within what the database can hold.

Ids are 64-bit signed integers in PostgreSQL (and SQLite); a larger number in a
URL would reach the driver and fail with an overflow, a 500 for anyone. So an
id that cannot exist is treated like one that does not: the route does not
match (404), and an optional parameter is ignored.
"""

from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000


def parse_id(value) -> int | None:
    """``value`` as an id (ASCII digits, 1 to 2**63-1), else None."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    # Digits beyond 19 cannot be in range; checking length first keeps a
    # megabyte of digits from being converted at all.
    if len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def parse_page(value) -> int:
    """A page number from 1 to MAX_PAGE; anything else (missing, junk, huge) is page 1."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 7:
        return 1
    number = int(value)
    return number if 1 <= number <= MAX_PAGE else 1


class IdConverter(BaseConverter):
    """``<id:post_id>``: digits only, 1 to 2**63-1; anything else does not match (404)."""

    regex = r"[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))
