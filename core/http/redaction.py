"""Remove secrets from text before it reaches a log line, an error or the raw archive.

Two nets: the exact token values the layer was given (registered by the token pool,
so even an unusual token format is caught), and patterns for what secrets look like
in URLs and headers (`Authorization` values, `access_token=` query parameters,
GitHub token prefixes, passwords in URLs).
"""

from __future__ import annotations

import logging
import re
import threading

REDACTED = "[REDACTED]"

# Query parameters that carry credentials or signatures (signed URLs are secrets too).
_SECRET_PARAMS = (
    "access_token",
    "token",
    "client_secret",
    "api_key",
    "apikey",
    "key",
    "password",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
)
_QUERY_SECRET = re.compile(
    r"(?i)([?&;](?:" + "|".join(re.escape(p) for p in _SECRET_PARAMS) + r")=)[^&#\s\"'<>]*"
)
_AUTH_HEADER = re.compile(r"(?i)(authorization\"?\s*[:=]\s*\"?)[^\"\r\n,}]+")
_AUTH_SCHEME = re.compile(r"(?i)\b(token|bearer|basic)\s+[A-Za-z0-9_\-.~+/=:]{8,}")
_GITHUB_TOKEN = re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})")
_URL_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")

_lock = threading.Lock()
_known_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a secret value so `redact` removes it wherever it appears.

    Values shorter than 8 characters are ignored: replacing them would mangle
    ordinary words and they are not real tokens anyway.
    """
    value = value.strip()
    if len(value) >= 8:
        with _lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    """Return `text` with every known or recognisable secret replaced by [REDACTED]."""
    with _lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _AUTH_SCHEME.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _GITHUB_TOKEN.sub(REDACTED, text)
    text = _QUERY_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    return _URL_USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", text)


class RedactingFilter(logging.Filter):
    """Redact a log record's final message; attached to loggers that print URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# httpx logs every request's full URL at INFO; a signed URL must not reach the logs.
_URL_LOGGERS = ("httpx", "httpcore")


def install_log_redaction() -> None:
    """Attach a RedactingFilter to the HTTP libraries' loggers (once)."""
    for name in _URL_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(RedactingFilter())
