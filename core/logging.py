"""Logging set-up: text or JSON, with the collector fields visible in both.

Every record carries `collector`, `collector_phase` and `failure_category` (a dash
when the code that logged did not set them), so an operator can filter any log
line by collector and phase whatever the format.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

COLLECTOR_FIELDS = ("collector", "collector_phase", "failure_category")

TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s "
    "[collector=%(collector)s phase=%(collector_phase)s category=%(failure_category)s] "
    "%(message)s"
)
JSON_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s %(message)s "
    "%(collector)s %(collector_phase)s %(failure_category)s"
)


class CollectorFieldsFilter(logging.Filter):
    """Give every record the collector fields, and keep its message on one line.

    A driver's error (PostgreSQL's `LINE 1: ...` and caret lines) would otherwise
    spread one failure over several lines; a traceback, when one is wanted, is
    added by the formatter after the message and is left alone.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        for field in COLLECTOR_FIELDS:
            if not hasattr(record, field):
                setattr(record, field, "-")
        message = record.getMessage()
        if "\n" in message or "\r" in message:
            record.msg, record.args = " ".join(message.split()), None
        return True


def wants_traceback(category: str, *, verbose: bool) -> bool:
    """Whether a failure's log record should carry its traceback.

    A failure of a known category (network, rate_limit, validation, ...) is fully
    described by its one line; the stack helps only for `unknown` ones, when the
    operator asks (`--traceback`, `-v 2`), or in JSON logs, where it is one field.
    """
    return category == "unknown" or verbose or settings.LOG_FORMAT == "json"


def build_logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """Return a `LOGGING` dict for `settings`; handlers write to stderr only."""
    if log_format == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": JSON_FORMAT,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    else:
        formatter = {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"collector_fields": {"()": "core.logging.CollectorFieldsFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["collector_fields"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            # pgserver narrates every attach and detach at INFO.
            "pgserver": {"level": "WARNING"},
            # httpx logs every request at INFO; the access layer counts them instead.
            "httpx": {"level": "WARNING"},
        },
    }
