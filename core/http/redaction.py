"""Remove secrets from text before it reaches a log line, an error or the raw archive.

Two nets: the exact token values the layer was given (registered by the token pool,
so even an unusual token format is caught), and patterns for what secrets look like
in URLs and headers (`Authorization` values, `access_token=` query parameters,
GitHub token prefixes, passwords in URLs).
"""

from __future__ import annotations

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
