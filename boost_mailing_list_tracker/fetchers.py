"""Read the Boost lists from HyperKitty's REST API and from mbox files, as plain items.

HyperKitty (`MAILING_LIST_ARCHIVE_URL`, JSON with `?format=json`, pages of
`{count, next, previous, results}` by limit/offset) lists a list's emails newest
first, without their text; the text and attachments come from each email's detail
URL. The collector walks the list pages from the newest down to its checkpoint (minus
the overlap window) and asks for the details of the emails it must store, so the
resume point of a newest-first stream is the newest date of the last complete walk.

An mbox comes from a path (plain or gzip) or an http(s) URL (a HyperKitty export,
`.../export/<name>.mbox.gz?start=...&end=...`, or a pipermail month); a URL is
streamed to a temporary file under WORKSPACE_DIR first, so a 500 MB archive never
sits in memory. Nothing here touches the database.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpx
from django.conf import settings

from boost_mailing_list_tracker import parsers
from boost_mailing_list_tracker.items import ListItem, MessageItem
from boost_mailing_list_tracker.mbox import open_mailbox
from core.bad_items import ParsedPage, parse_each
from core.http import (
    MalformedResponse,
    PaginationLoopError,
    Payload,
    RequestMeter,
    RetryPolicy,
    build_http_client,
    decode_json,
    redact,
    send_with_retries,
)
from core.http.client import status_error
from core.http.errors import NoNetworkError
from core.http.paging import check_same_origin, page_key
from core.runs import RunCounters


@dataclass(frozen=True)
class EmailPage:
    """One page of a list's `emails/`: the entries that parsed (dicts) and the bad ones."""

    url: str
    entries: ParsedPage[dict[str, Any]]


class HyperKittyFetcher:
    """Talk to one HyperKitty API root; build one per run and close it at the end."""

    def __init__(
        self,
        *,
        counters: RunCounters | None = None,
        transport: httpx.BaseTransport | None = None,
        base_url: str | None = None,
        page_size: int | None = None,
    ) -> None:
        self.base_url = (base_url or settings.MAILING_LIST_ARCHIVE_URL).rstrip("/") + "/"
        self.page_size = page_size or settings.MAILING_LIST_PAGE_SIZE
        self.policy = RetryPolicy.from_settings()
        self.http = build_http_client(
            base_url=self.base_url,
            headers={"Accept": "application/json"},
            transport=transport,
            event_hooks={"response": [RequestMeter(counters=counters)]},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HyperKittyFetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _get(self, url: str, *, params: dict[str, Any] | None = None) -> tuple[Any, str]:
        # A next link carries its own query (format included); passing params would
        # replace it, so only a path gets them.
        query = None if "?" in url else {"format": "json", **(params or {})}
        request = self.http.build_request("GET", url, params=query)
        try:
            response = send_with_retries(self.http, request, policy=self.policy)
        except httpx.ConnectError as exc:
            host = request.url.host
            raise NoNetworkError(
                f"no network access to {host} — {redact(str(exc))}; check the connection "
                "or MAILING_LIST_ARCHIVE_URL",
                host=host,
            ) from exc
        if response.status_code >= 300:
            raise status_error(response)
        sent = redact(str(request.url))
        return decode_json(response.content, url=sent, what="HyperKitty answer"), sent

    def mailing_list(self, address: str) -> ListItem:
        body, url = self._get(f"list/{address}/")
        return parsers.parse_list(body, url=url)

    def emails(self, address: str) -> Iterator[EmailPage]:
        """Pages of the list's emails, newest first; a next link elsewhere or looping raises."""
        url: str | None = f"list/{address}/emails/"
        params: dict[str, Any] | None = {"limit": self.page_size, "offset": 0}
        read: set[tuple] = set()
        while url is not None:
            body, sent = self._get(url, params=params)
            read.add(page_key(sent))
            fields = Payload.of(body, url=sent, kind="page of emails")
            results = fields.values("results")
            yield EmailPage(
                url=sent, entries=parse_each(results, parsers.parse_listed_email, url=sent)
            )
            following = fields.optional_str("next") or None
            if following is not None:
                check_same_origin(following, base_url=self.base_url)
                if page_key(following) in read:
                    raise PaginationLoopError(
                        f"{sent}: its next link {redact(following)} is a page this list "
                        "already read; stopping instead of looping",
                        url=sent,
                    )
            url, params = following, None

    def email(self, detail_url: str) -> ParsedPage[MessageItem]:
        """One email's detail (content, attachments) as a page of one item."""
        check_same_origin(detail_url, base_url=self.base_url)
        body, url = self._get(detail_url)
        return parse_each([body], parsers.parse_email, url=url)


@contextlib.contextmanager
def mbox_stream(
    location: str, *, transport: httpx.BaseTransport | None = None
) -> Iterator[BinaryIO]:
    """An open mailbox stream for a path or an http(s) URL (downloaded to a temp file)."""
    if location.startswith(("http://", "https://")):
        workspace = Path(settings.WORKSPACE_DIR)
        workspace.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=workspace, suffix=".mbox") as spool:
            _download(location, spool, transport=transport)
            spool.flush()
            with open_mailbox(spool.name) as stream:
                yield stream
        return
    with open_mailbox(location) as stream:
        yield stream


def _download(url: str, spool: Any, *, transport: httpx.BaseTransport | None) -> None:
    with build_http_client(transport=transport) as client:
        request = client.build_request("GET", url)
        try:
            response = client.send(request, stream=True)
        except httpx.ConnectError as exc:
            raise NoNetworkError(
                f"no network access to {request.url.host} — {redact(str(exc))}",
                host=request.url.host,
            ) from exc
        try:
            if response.status_code >= 300:
                response.read()
                raise status_error(response)
            for chunk in response.iter_bytes():
                spool.write(chunk)
        except httpx.RemoteProtocolError as exc:
            raise MalformedResponse(
                f"{redact(url)}: the download ended early ({exc})", url=redact(url)
            ) from exc
        finally:
            response.close()
