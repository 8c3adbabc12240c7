"""Date flags of collector commands, read the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management.base import CommandError


def parse_utc_date(flag: str, value: str | None) -> datetime | None:
    """Read a YYYY-MM-DD flag value as midnight UTC; a bad value is a one-line CommandError."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise CommandError(f"{flag} {value!r} is not a date; use YYYY-MM-DD (UTC)") from None
