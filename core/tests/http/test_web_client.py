"""`WebClient`: conditional pages, one origin only, bounded bodies, complete downloads."""

from __future__ import annotations

import httpx
import pytest

from core.errors import CollectorFailureCategory, classify_failure
from core.http import (
    ForeignOriginError,
    MalformedResponse,
    NoNetworkError,
    ResponseTooLarge,
    RetryPolicy,
    WebClient,
)
from core.models import HttpCacheEntry
from core.runs import RunCounters
from core.testing import fixture_server as faults

pytestmark = pytest.mark.django_db

PAGE = "/papers/2023/"


def client(server, **options) -> WebClient:
    options.setdefault("policy", RetryPolicy(max_attempts=2, backoff_base_seconds=0))
    return WebClient(base_url=f"{server.base_url}/papers/", **options)


def test_a_page_with_an_etag_is_answered_304_the_second_time(fixture_server) -> None:
    fixture_server.add("GET", PAGE, headers={"etag": '"v1"'}, body="<p>Grüße</p>")
    counters = RunCounters()

    with client(fixture_server, counters=counters) as web:
        first = web.text("2023/")
        second = web.text("2023/")

    assert (first.body, first.not_modified, first.validator) == ("<p>Grüße</p>", False, '"v1"')
    assert (second.body, second.not_modified) == ("<p>Grüße</p>", True)
    assert fixture_server.requests[1].headers["if-none-match"] == '"v1"'
    assert (counters.get("api_requests"), counters.get("not_modified")) == (2, 1)


def test_a_dry_run_client_sends_validators_but_stores_none(fixture_server) -> None:
    fixture_server.add("GET", PAGE, headers={"etag": '"v1"'}, body="x")

    with client(fixture_server, store_validators=False) as web:
        web.text("2023/")

    assert not HttpCacheEntry.objects.exists()


def test_json_is_decoded_and_a_body_that_is_not_json_is_malformed(fixture_server) -> None:
    fixture_server.add("GET", "/papers/index.json", body='{"P1R0": {}}')
    fixture_server.add("GET", "/papers/broken.json", body="<html>")

    with client(fixture_server) as web:
        assert web.json("index.json").body == {"P1R0": {}}
        with pytest.raises(MalformedResponse):
            web.json("broken.json")


def test_a_url_on_another_origin_is_refused_before_any_request(fixture_server) -> None:
    with client(fixture_server) as web, pytest.raises(ForeignOriginError) as caught:
        web.text("https://example.com/p1.pdf")

    assert "refusing to fetch https://example.com/p1.pdf" in str(caught.value)
    assert fixture_server.hits() == 0


def test_an_answer_over_the_bound_is_refused(fixture_server) -> None:
    fixture_server.add("GET", PAGE, body="x" * 5000)

    with client(fixture_server, max_bytes=1000) as web, pytest.raises(ResponseTooLarge) as caught:
        web.text("2023/")

    assert classify_failure(caught.value) is CollectorFailureCategory.VALIDATION


def test_server_errors_are_retried_then_raised_with_their_status(fixture_server) -> None:
    fixture_server.add("GET", PAGE, body="ok")
    fixture_server.fail("GET", PAGE, faults.server_error(503), times=1)

    with client(fixture_server) as web:
        assert web.text("2023/").body == "ok"
    fixture_server.fail("GET", PAGE, faults.server_error(503), times=2)
    with client(fixture_server) as web, pytest.raises(httpx.HTTPStatusError) as caught:
        web.text("2023/")

    assert classify_failure(caught.value) is CollectorFailureCategory.UPSTREAM


def test_an_unreachable_host_is_one_network_error() -> None:
    web = WebClient(base_url="http://127.0.0.1:9/papers/", policy=RetryPolicy(max_attempts=1))

    with web, pytest.raises(NoNetworkError) as caught:
        web.text("2023/")

    assert str(caught.value).startswith("no network access to 127.0.0.1")


def test_a_download_is_complete_or_absent(fixture_server, tmp_path) -> None:
    fixture_server.add("GET", "/papers/2023/p1r0.pdf", body=b"%PDF-1.4 data")
    target = tmp_path / "2023" / "p1r0.pdf"

    with client(fixture_server) as web:
        done = web.download("2023/p1r0.pdf", path=target)

    assert target.read_bytes() == b"%PDF-1.4 data"
    assert done.size == 13
    assert len(done.sha256) == 64
    assert not target.with_name("p1r0.pdf.part").exists()


def test_a_download_cut_short_or_too_big_leaves_no_file(fixture_server, tmp_path) -> None:
    fixture_server.add("GET", "/papers/big.pdf", body=b"x" * 4096)
    fixture_server.fail("GET", "/papers/big.pdf", faults.truncated())
    target = tmp_path / "big.pdf"

    with client(fixture_server) as web:
        with pytest.raises(httpx.TransportError):
            web.download("big.pdf", path=target)
        assert not target.exists()
        assert not target.with_name("big.pdf.part").exists()
        with pytest.raises(ResponseTooLarge):
            web.download("big.pdf", path=target, max_bytes=1024)

    assert list(tmp_path.iterdir()) == []
