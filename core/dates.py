"""Date flags shared by collector commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.management.base import CommandError


def parse_utc_date(flag: str, value: str | None) -> datetime | None:
    """Read a YYYY-MM-DD flag value as midnight UTC; a bad value is a one-line CommandError."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise CommandError(f"{flag} {value!r} is not a date; use YYYY-MM-DD (UTC)") from None


def parse_window(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """`--since`/`--until` as a UTC window: from midnight of SINCE to the end of UNTIL.

    A bad date or SINCE after UNTIL is a one-line CommandError.
    """
    start = parse_utc_date("--since", since)
    end = parse_utc_date("--until", until)
    end = None if end is None else end + timedelta(days=1, microseconds=-1)
    if start and end and start > end:
        raise CommandError(f"--since {since} is after --until {until}")
    return start, end
