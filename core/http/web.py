"""`WebClient`: conditional GETs of web pages and files for sources that are not GitHub.

Pages and data files (a committee's HTML index, a JSON dump) are read with the same
retries, timeouts, request counting, archive and replay as the GitHub client, and with
conditional requests: an answer with an ETag or Last-Modified is kept in
`core.HttpCacheEntry`, the next request sends the validators, and a 304 hands back the
stored text with `not_modified=True`. Every URL must be on the client's origin, so a
link found in a page can never make the collector fetch from a host the operator did
not configure. Bodies are bounded in size: a source answering gigabytes ends the
request with `ResponseTooLarge` instead of filling memory or the disk.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core.http.client import RetryPolicy, build_http_client, send_reaching, status_error
from core.http.clock import Clock, SystemClock
from core.http.errors import ForeignOriginError
from core.http.etag_cache import ETagCache
from core.http.metering import RequestMeter
from core.http.payload import decode_json
from core.http.redaction import redact
from core.runs import RunCounters

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024


class ResponseTooLarge(ValueError):
    """An answer was larger than the bound the caller set (a validation failure)."""

    def __init__(self, message: str, *, url: str, limit: int) -> None:
        super().__init__(message)
        self.url = url
        self.limit = limit


@dataclass(frozen=True)
class Fetched:
    """A page's text (or parsed JSON), the URL asked, and whether it came from a 304."""

    body: Any
    url: str
    not_modified: bool
    validator: str  # the ETag or Last-Modified the body goes with ("" when none)


@dataclass(frozen=True)
class Downloaded:
    """A file written completely to `path`: its size and SHA-256."""

    path: Path
    url: str
    size: int
    sha256: str
    content_type: str


def same_origin(url: str, *, base_url: str) -> bool:
    """Whether `url` has the scheme, host and port of `base_url`."""
    target, base = httpx.URL(url), httpx.URL(base_url)
    return (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)


class WebClient:
    """GET pages, JSON and files from one origin; build one per run and close it."""

    def __init__(
        self,
        *,
        base_url: str,
        transport: httpx.BaseTransport | None = None,
        counters: RunCounters | None = None,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
        store_validators: bool = True,
        max_bytes: int = DEFAULT_MAX_BYTES,
        url_setting: str = "the source's URL setting",
    ) -> None:
        self.url_setting = url_setting
        self.base_url = base_url.rstrip("/") + "/"
        self.clock = clock or SystemClock()
        self.policy = policy or RetryPolicy.from_settings()
        # False for a dry run: validators are still sent, nothing new is stored.
        self.store_validators = store_validators
        self.max_bytes = max_bytes
        self.cache = ETagCache()
        self.meter = RequestMeter(counters=counters)
        self.http = build_http_client(transport=transport, event_hooks={"response": [self.meter]})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> WebClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def absolute(self, url: str) -> str:
        """`url` resolved against the base URL; another origin raises ForeignOriginError."""
        resolved = str(httpx.URL(self.base_url).join(url))
        if not same_origin(resolved, base_url=self.base_url):
            raise ForeignOriginError(
                f"refusing to fetch {redact(resolved)}: it is not on {redact(self.base_url)}",
                url=redact(resolved),
            )
        return resolved

    def text(self, url: str, *, conditional: bool = True) -> Fetched:
        """GET a page as text (UTF-8, else the charset the server names)."""
        return self._get(url, conditional=conditional, decode=_decode_text)

    def json(self, url: str, *, conditional: bool = True) -> Fetched:
        """GET a JSON document; a body that is not JSON raises MalformedResponse."""
        return self._get(url, conditional=conditional, decode=_decode_json)

    def download(self, url: str, *, path: Path, max_bytes: int | None = None) -> Downloaded:
        """Stream a file to `path` through `<path>.part`, renamed only once complete.

        A run killed mid-file leaves only the `.part`, which the next attempt
        overwrites: a partial file is never taken for a complete one. One attempt, no
        retries: a document is large, and the caller records the failure and asks
        again on its next run.
        """
        limit = self.max_bytes if max_bytes is None else max_bytes
        target = self.absolute(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        digest = hashlib.sha256()
        size = 0
        try:
            with self.http.stream("GET", target) as response:
                if response.status_code >= 300:
                    response.read()
                    raise status_error(response)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise _too_large(target, limit)
                with partial.open("wb") as out:
                    for chunk in response.iter_bytes(_CHUNK_BYTES):
                        size += len(chunk)
                        if size > limit:
                            raise _too_large(target, limit)
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                content_type = response.headers.get("content-type", "")
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, path)
        return Downloaded(
            path=path, url=target, size=size, sha256=digest.hexdigest(), content_type=content_type
        )

    def _get(self, url: str, *, conditional: bool, decode: Any) -> Fetched:
        target = self.absolute(url)
        request = self.http.build_request("GET", target)
        entry = self.cache.add_validators(request) if conditional else None
        response = self._send(request)
        if response.status_code == 304 and entry is not None:
            return Fetched(entry.body, target, True, entry.etag or entry.last_modified)
        if response.status_code >= 300:
            raise status_error(response)
        if len(response.content) > self.max_bytes:
            raise _too_large(target, self.max_bytes)
        body = decode(response)
        if conditional and self.store_validators:
            self.cache.store(response, body, request=request)
        validator = response.headers.get("etag", "") or response.headers.get("last-modified", "")
        return Fetched(body, target, False, validator)

    def _send(self, request: httpx.Request) -> httpx.Response:
        return send_reaching(
            self.http, request, policy=self.policy, clock=self.clock, url_setting=self.url_setting
        )


def _too_large(url: str, limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"{redact(url)} is larger than {limit} bytes; refused", url=redact(url), limit=limit
    )


def _decode_text(response: httpx.Response) -> str:
    try:
        return response.content.decode(response.encoding or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return response.content.decode("utf-8", errors="replace")


def _decode_json(response: httpx.Response) -> Any:
    return decode_json(response.content, url=str(response.request.url), what="GET body")
