"""The search end to end against the loopback server that enforces GitHub's limits:
the 1,000-result cap, `incomplete_results`, and 10 searches a minute."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from boost_usage_tracker.models import BoostUsage, DetectedBoostVersion, ExternalRepository
from boost_usage_tracker.tests.conftest import run
from core.errors import RateLimitExhausted
from core.models import Checkpoint, CollectorRun
from core.testing.fixture_server import rate_limited

pytestmark = pytest.mark.django_db


def expected_pairs(server) -> set[tuple[str, str]]:
    """(repository, header) of every file a run should keep: no forks, no boostorg."""
    return {
        (f.repo.full_name, header)
        for f in server.corpus
        if not f.repo.fork and not f.repo.full_name.startswith("boostorg/")
        for header in f.text.split("\n")
        if header.startswith("#include <")
        for header in [header.removeprefix("#include <").removesuffix(">")]
    }


def stored_pairs() -> set[tuple[str, str]]:
    return set(BoostUsage.objects.values_list("repository__full_name", "header"))


def search_pages(server) -> list[tuple[str, int]]:
    """(q, page) of every search request the server answered, in order."""
    found = []
    for request in server.requests:
        parts = urlsplit(request.target)
        if parts.path == "/search/code":
            query = parse_qs(parts.query)
            found.append((query["q"][0], int(query["page"][0])))
    return found


def test_a_12000_result_query_is_read_in_slices_of_at_most_1000(big_server, fake_clock):
    search_server = big_server
    first, out = run("--task", "search", clock=fake_clock)

    assert first.status == "succeeded", out
    assert stored_pairs() == expected_pairs(search_server)
    # Every file was read once: the cap never cut a slice, no page was asked twice.
    assert first.counters["fetched"] == 12_000
    assert max(search_server.totals_read) <= 1000
    pages = search_pages(search_server)
    assert len(pages) == len(set(pages))
    assert search_server.over_cap_pages == 0
    assert "capped_slices" not in first.counters
    # The broad probes (answered incomplete too) were asked again narrower, never read.
    assert first.counters["narrowed_probes"] >= 1
    assert first.counters["slices"] >= 12
    assert "pass complete in" in out
    # The whole query goes by size: no library probes, no byte over the cap to split.
    assert "route_probes" not in first.counters
    assert "library_split_slices" not in first.counters
    assert not Checkpoint.objects.filter(collector="boost_usage_tracker").exists()
    # The library of each header comes from the catalogue's header map.
    usage = BoostUsage.objects.filter(header="boost/numeric/conversion/cast.hpp").first()
    assert usage is not None
    assert usage.library is not None
    assert usage.library.key == "numeric/conversion"
    assert usage.header_version == "boost-1.86.0"
    assert usage.file_paths
    assert usage.fragment.startswith("#include")
    unmapped = BoostUsage.objects.filter(header="boost/asio.hpp").first()
    assert unmapped is not None
    assert unmapped.library is not None
    # Forks and boostorg's own repositories are left out (BOOST_USAGE_* settings).
    assert not ExternalRepository.objects.filter(full_name__startswith="boostorg/").exists()
    assert not ExternalRepository.objects.filter(is_fork=True).exists()
    assert first.counters["excluded"] > 0
    assert "search requests" in out


def test_the_10_per_minute_search_limit_is_kept_ahead_of_time(search_server, fake_clock):
    first, out = run("--task", "search", clock=fake_clock)

    searches = first.counters["search_requests"]
    assert search_server.rejected == 0  # never a 403: the client waited for each reset
    assert searches == search_server.search_requests
    # Each full minute of budget is followed by one wait for its reset, none blind.
    assert len(fake_clock.sleeps) >= searches // 10 - 1
    assert all(0 < wait <= 61 for wait in fake_clock.sleeps)
    assert f"{searches} search requests" in out


def test_the_server_rejects_a_caller_faster_than_10_a_minute(search_server, fake_clock):
    import httpx

    with httpx.Client(base_url=search_server.base_url) as client:
        answers = [client.get("/search/code", params={"q": "x", "page": 1}) for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [403]
    assert answers[-1].headers["x-ratelimit-remaining"] == "0"
    assert search_server.rejected == 1


def test_a_secondary_limit_stops_the_run_and_the_next_run_resumes_exactly(
    search_server, fake_clock
):
    # The fifth search answers GitHub's secondary limit with an hour's Retry-After.
    run("--task", "search", "--max-requests", "5", clock=fake_clock)
    search_server.search_faults.append(
        rate_limited(
            remaining=None, retry_after=3600, message="You have exceeded a secondary rate limit."
        )
    )
    with pytest.raises(RateLimitExhausted, match="wait of 3600s exceeds"):
        run("--task", "search", clock=fake_clock)
    stopped = CollectorRun.objects.order_by("-id")[0]
    assert stopped.status == "failed"
    assert stopped.failure_category == "rate_limit"
    assert Checkpoint.objects.filter(collector="boost_usage_tracker", source_key="all").exists()
    before = search_pages(search_server)

    resumed, out = run("--task", "search", clock=fake_clock)

    assert resumed.status == "succeeded", out
    assert "resuming the pass of" in out
    assert stored_pairs() == expected_pairs(search_server)
    pages = search_pages(search_server)
    # Only the request the limit refused is asked again.
    assert len(pages) - len(set(pages)) == 1
    assert pages[len(before)] == before[-1]


def test_a_short_retry_after_is_waited_out_within_the_run(search_server, fake_clock):
    search_server.search_faults.append(
        rate_limited(
            remaining=None, retry_after=30, message="You have exceeded a secondary rate limit."
        )
    )
    finished, _ = run("--task", "search", clock=fake_clock)
    assert finished.status == "succeeded"
    assert 30 in fake_clock.sleeps
    assert stored_pairs() == expected_pairs(search_server)


def test_max_requests_stops_at_a_checkpoint_and_the_next_run_goes_on(search_server, fake_clock):
    stopped, out = run("--task", "search", "--max-requests", "12", clock=fake_clock)
    assert stopped.status == "succeeded"
    assert "--max-requests 12 reached; the next run resumes at its checkpoint" in out
    assert stopped.counters["search_requests"] <= 12
    assert Checkpoint.objects.filter(collector="boost_usage_tracker", source_key="all").exists()

    _finished, out = run("--task", "search", clock=fake_clock)
    assert stored_pairs() == expected_pairs(search_server)
    pages = search_pages(search_server)
    assert len(pages) == len(set(pages))


def test_task_all_stores_details_and_versions_and_a_second_run_only_refreshes(
    search_server, fake_clock
):
    repo = search_server.repos["user1/project1"]
    repo.files["CMakeLists.txt"] = "find_package(Boost 1.74 REQUIRED COMPONENTS system)\n"
    repo.files["vcpkg.json"] = '{"dependencies": [{"name": "boost-asio", "version>=": "1.83.0"}]}'

    first, out = run("--task", "all", clock=fake_clock)

    assert first.status == "succeeded", out
    stored = ExternalRepository.objects.get(full_name="user1/project1")
    assert (stored.stars, stored.language, stored.license) == (3, "C++", "MIT")
    assert stored.details_read_at is not None
    assert stored.node_id
    versions = {
        (v.source, v.constraint, v.version)
        for v in DetectedBoostVersion.objects.filter(repository=stored)
    }
    assert {("cmake", ">=", "1.74"), ("vcpkg", ">=", "1.83.0")} <= versions
    # A BOOST_VERSION check in a matched fragment is evidence too.
    assert DetectedBoostVersion.objects.filter(source="version_check", version="1.70.0").exists()
    assert not ExternalRepository.objects.filter(details_read_at__isnull=True).exists()

    second, out = run("--task", "all", clock=fake_clock)

    assert second.status == "succeeded", out
    assert second.counters["created"] == 0
    assert stored_pairs() == expected_pairs(search_server)
    assert "refresh:" in out
