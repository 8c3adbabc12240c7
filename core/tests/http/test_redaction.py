"""Secrets are removed from anything that may be logged, raised or archived."""

from __future__ import annotations

import logging

import pytest

from core.http.redaction import REDACTED, RedactingFilter, redact, register_secret


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abcdef123456789", "abcdef123456789"),
        ('{"authorization": "token s3cr3t-value-xyz"}', "s3cr3t-value-xyz"),
        ("https://h/x?page=2&access_token=qwerty123&per_page=3", "qwerty123"),
        ("https://h/x?sig=AbC%2FdEf&X-Amz-Signature=ffff0000", "ffff0000"),
        ("cloned https://bob:hunter22@github.com/boostorg/json", "hunter22"),
        ("leaked ghp_0123456789abcdefABCDEF0123 in a message", "ghp_0123456789abcdefABCDEF0123"),
        ("github_pat_11AAAAAAA0123456789_abcdefghijklmnop", "abcdefghijklmnop"),
    ],
)
def test_recognisable_secrets_are_removed(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert REDACTED in cleaned


def test_registered_secrets_are_removed_whatever_their_shape() -> None:
    register_secret("plain-looking-secret-42")
    register_secret("short")  # too short to be a token: ignored, words stay intact
    assert redact("x plain-looking-secret-42 y short") == f"x {REDACTED} y short"


def test_ordinary_text_is_left_alone() -> None:
    text = "GET https://api.github.com/repos/boostorg/json/issues?page=2&per_page=100"
    assert redact(text) == text


def test_the_log_filter_rewrites_only_records_with_secrets() -> None:
    record = logging.LogRecord("httpx", logging.INFO, "", 0, "GET %s", ("/x?token=abc",), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f"GET /x?token={REDACTED}"
    plain = logging.LogRecord("httpx", logging.INFO, "", 0, "GET %s", ("/x",), None)
    RedactingFilter().filter(plain)
    assert plain.args == ("/x",)
