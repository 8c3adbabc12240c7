"""Conditional requests: remember each URL's ETag and parsed body in PostgreSQL.

The next request for the same URL sends `If-None-Match`; a 304 answer costs no
GitHub rate limit, and the stored body stands in for the one the server did not
resend. The key leaves credentials out, so all tokens of a pool share the cache.
"""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
from django.utils import timezone

from core.http.redaction import redact
from core.models import HttpCacheEntry
from core.text import strip_nul


def cache_key(request: httpx.Request) -> str:
    """Digest of method, redacted URL and body; never of the Authorization header."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {redact(str(request.url))}\n".encode())
    digest.update(request.content)
    return digest.hexdigest()


class ETagCache:
    """Add validators to requests and store or recall bodies by request key."""

    def add_validators(self, request: httpx.Request) -> HttpCacheEntry | None:
        """Set If-None-Match / If-Modified-Since from a stored entry; return the entry."""
        entry = HttpCacheEntry.objects.filter(key=cache_key(request)).first()
        if entry is None:
            return None
        if entry.etag:
            request.headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            request.headers["If-Modified-Since"] = entry.last_modified
        return entry if (entry.etag or entry.last_modified) else None

    def store(self, response: httpx.Response, body: Any, *, request: httpx.Request) -> None:
        """Remember a 200's validators and parsed body under the request that was sent.

        `request` is the one the client built, not `response.request`: after a followed
        redirect (a renamed repository) the next run asks the first URL again.
        """
        etag = response.headers.get("etag", "")
        last_modified = response.headers.get("last-modified", "")
        if not (etag or last_modified):
            return
        HttpCacheEntry.objects.update_or_create(
            key=cache_key(request),
            defaults={
                "url": redact(str(request.url)),
                "etag": etag[:500],
                "last_modified": last_modified[:100],
                "link": response.headers.get("link", ""),
                "body": strip_nul(body),  # JSONB refuses NUL; the bulk layer drops it anyway
                "fetched_at": timezone.now(),
            },
        )
