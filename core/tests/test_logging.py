"""Log lines show collector, collector_phase and failure_category in both formats."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest

from core.logging import build_logging_config


def emit(log_format: str, **extra: str) -> str:
    stream = io.StringIO()
    config = build_logging_config(log_format=log_format, level="INFO")
    config["handlers"]["console"]["stream"] = stream
    config["root"] = {"handlers": [], "level": "INFO"}
    config["loggers"] = {
        "fmt_probe": {"handlers": ["console"], "level": "INFO", "propagate": False}
    }
    logging.config.dictConfig(config)
    logging.getLogger("fmt_probe").error("rate limit hit on page %s", 3, extra=extra)
    return stream.getvalue()


@pytest.fixture(autouse=True)
def restore_logging(settings):
    yield
    logging.config.dictConfig(settings.LOGGING)


def test_text_format_shows_fields() -> None:
    line = emit(
        "text", collector="github_activity", collector_phase="run", failure_category="rate_limit"
    )
    assert "[collector=github_activity phase=run category=rate_limit]" in line
    assert line.rstrip().endswith("rate limit hit on page 3")


def test_text_format_shows_dashes_when_unset() -> None:
    assert "[collector=- phase=- category=-]" in emit("text")


def test_json_format_has_fields() -> None:
    record = json.loads(
        emit("json", collector="wg21", collector_phase="sync_pinecone", failure_category="upstream")
    )
    assert record["message"] == "rate limit hit on page 3"
    assert record["level"] == "ERROR"
    assert (record["collector"], record["collector_phase"], record["failure_category"]) == (
        "wg21",
        "sync_pinecone",
        "upstream",
    )
