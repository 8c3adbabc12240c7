"""The raw archive: every response a run received, kept on disk to re-parse later.

Each response becomes one JSON line (method, URL, status, chosen headers, body,
fetched_at) written as its own gzip member and appended to
`WORKSPACE_DIR/raw/<source>/<run>/responses.jsonl.gz`. Appending a whole gzip member
per line means a run killed mid-way leaves a readable archive up to its last
response. Secrets never reach the file: request headers are not stored, response
headers are an allow-list, and URL and body pass through `redact`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
from django.conf import settings

from core.http.redaction import redact

logger = logging.getLogger(__name__)

ARCHIVE_FILE_NAME = "responses.jsonl.gz"

# Headers a parser or a later investigation may need; nothing that identifies a
# caller (no cookies, no auth, no OAuth scopes).
ARCHIVED_HEADERS = (
    "content-type",
    "etag",
    "last-modified",
    "link",
    "retry-after",
    "date",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-used",
    "x-ratelimit-resource",
)

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def request_fingerprint(request: httpx.Request) -> str:
    """Identify a request by method, redacted URL and body, so replay can find it."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b" ")
    digest.update(redact(str(request.url)).encode())
    digest.update(b"\n")
    digest.update(request.content)
    return digest.hexdigest()


def new_archive_dir(*, source: str, run_label: str | None = None) -> Path:
    """Return (without creating) `WORKSPACE_DIR/raw/<source>/<run>/` for a new run."""
    label = run_label or f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}"
    for part in (source, label):
        if not _SAFE_NAME.match(part):
            raise ValueError(f"archive folder names use letters, digits, '_', '.', '-': {part!r}")
    return Path(settings.WORKSPACE_DIR) / "raw" / source / label


def _encode_body(content: bytes) -> dict[str, str]:
    try:
        return {"body": redact(content.decode("utf-8"))}
    except UnicodeDecodeError:
        return {"body_base64": base64.b64encode(content).decode("ascii")}


class ArchiveWriter:
    """Append responses to one run's archive file; safe to share between threads."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / ARCHIVE_FILE_NAME
        self._lock = threading.Lock()

    def append(self, response: httpx.Response) -> None:
        request = response.request
        record = {
            "method": request.method,
            "url": redact(str(request.url)),
            "request_fingerprint": request_fingerprint(request),
            "status": response.status_code,
            "headers": {
                name: redact(response.headers[name])
                for name in ARCHIVED_HEADERS
                if name in response.headers
            },
            "fetched_at": datetime.now(UTC).isoformat(),
            **_encode_body(response.content),
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as handle:
                handle.write(gzip.compress(line))


class ArchivingTransport(httpx.BaseTransport):
    """Wrap a transport and archive every response that passes through it."""

    def __init__(self, inner: httpx.BaseTransport, writer: ArchiveWriter) -> None:
        self.inner = inner
        self.writer = writer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        try:
            content = response.read()
        finally:
            response.close()
        kept = httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            content=content,
            request=request,
            extensions=response.extensions,
        )
        self.writer.append(kept)
        return kept

    def close(self) -> None:
        self.inner.close()
