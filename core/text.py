"""Make text values storable: PostgreSQL refuses NUL (U+0000) in text and in JSONB strings.

Sources do send it (an issue body pasted from a binary file, a commit message), and a
refused value fails the whole page it is on, on every run. Every write path strips it
with this one function, so no collector has to remember.
"""

from __future__ import annotations

from typing import Any

NUL = "\x00"


def strip_nul(value: Any) -> Any:
    """`value` without NUL characters, looking inside dicts, lists and tuples (JSON values).

    Anything else (numbers, dates, None) is returned as it is; unchanged strings and
    containers are returned as they are, so the common case allocates nothing.
    """
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, dict):
        if not _holds_nul(value):
            return value
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if not _holds_nul(value):
            return value
        return type(value)(strip_nul(v) for v in value)
    return value


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False
