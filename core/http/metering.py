"""Count what a run asks of a source, for the run ledger and metrics.

Every response the client receives (retries included: each one cost a request) adds
to `api_requests`; a 304 also adds to `not_modified`. The last REST (`core`) budget
the source reported is kept as `rate_limit_remaining`. Counts go to a collector's
`RunCounters`, so they land in the ledger row without the collector adding them.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from core.runs import API_REQUESTS, NOT_MODIFIED, RunCounters


class RequestMeter:
    """An httpx response hook that counts requests, 304s and the remaining budget."""

    def __init__(
        self,
        *,
        counters: RunCounters | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
    ) -> None:
        self.counters = counters
        self.on_response = on_response
        self.requests = 0
        self.not_modified = 0
        self.rate_limit_remaining: int | None = None

    def __call__(self, response: httpx.Response) -> None:
        self.requests += 1
        not_modified = response.status_code == 304
        if not_modified:
            self.not_modified += 1
        remaining = response.headers.get("x-ratelimit-remaining", "")
        # The REST budget: a GraphQL or search answer reports its own bucket's.
        core = response.headers.get("x-ratelimit-resource", "core") == "core"
        if remaining.isdigit() and core:
            self.rate_limit_remaining = int(remaining)
        if self.counters is not None:
            self.counters.add(API_REQUESTS)
            if not_modified:
                self.counters.add(NOT_MODIFIED)
        if self.on_response is not None:
            self.on_response(response)
