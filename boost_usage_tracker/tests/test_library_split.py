"""The library split against the loopback search server: a one-byte slice over the
1,000-result cap read term by term (none lost, none stored twice), resumed after a
kill, `--max-requests` and a 403 with Retry-After in the middle of it; and the route
decision (library or size) going both ways on the answers' totals."""

from __future__ import annotations

import math
import time

import pytest

from boost_usage_tracker.models import BoostUsage
from boost_usage_tracker.planner import covers, pages_for, split_terms
from boost_usage_tracker.testing.search_server import make_corpus
from boost_usage_tracker.tests.conftest import (
    LIBRARIES,
    run,
    start_search_child,
    start_server,
    store_catalogue,
)
from boost_usage_tracker.tests.test_search_planner import expected_pairs, search_pages, stored_pairs
from core.errors import RateLimitExhausted
from core.models import Checkpoint
from core.testing.fixture_server import rate_limited
from core.testing.manage import kill_and_wait

pytestmark = pytest.mark.django_db

TERMS = split_terms({path: key for key, (_, paths) in LIBRARIES.items() for path in paths})
LOCK = "command:run_boost_usage_tracker"


def same_size_corpus():
    """2,500 files of 1,234 bytes, one or two headers each: size:1234..1234 holds all
    of them, and every term's query of that byte fits in the cap (asio: 977)."""
    return make_corpus(files=2_500, repos=100, same_size=1234, most_headers=2)


@pytest.fixture
def same_size_server(settings, tmp_path, fake_clock):
    store_catalogue()
    server = start_server(settings, tmp_path, same_size_corpus(), clock=fake_clock)
    yield server
    server.stop()


def expected_evidence(server) -> set[tuple[str, str, str]]:
    """(repository, header, file path) of every kept file."""
    return {
        (f.repo.full_name, line.removeprefix("#include <").removesuffix(">"), f.path)
        for f in server.corpus
        if not f.repo.fork and not f.repo.full_name.startswith("boostorg/")
        for line in f.text.split("\n")
        if line.startswith("#include <")
    }


def stored_evidence() -> list[tuple[str, str, str]]:
    return [
        (full_name, header, path)
        for full_name, header, paths in BoostUsage.objects.values_list(
            "repository__full_name", "header", "file_paths"
        )
        for path in paths
    ]


def term_totals(server) -> dict[str, int]:
    return {t: sum(f"#include <{t}" in f.text for f in server.corpus) for t in TERMS}


def split_cursor() -> dict:
    return Checkpoint.objects.get(collector="boost_usage_tracker", source_key="all").cursor


def assert_all_read_once(server) -> None:
    stored = stored_evidence()
    assert len(stored) == len(set(stored))  # no file path twice in a usage
    assert set(stored) == expected_evidence(server)
    assert stored_pairs() == expected_pairs(server)
    assert server.over_cap_pages == 0
    assert max(server.totals_read) <= 1000


def test_a_one_byte_slice_over_the_cap_is_split_by_library_and_nothing_is_lost(
    same_size_server, fake_clock
):
    finished, out = run("--task", "search", clock=fake_clock)

    assert finished.status == "succeeded", out
    assert_all_read_once(same_size_server)
    counters = finished.counters
    assert "capped_slices" not in counters
    assert counters["library_split_slices"] == 1
    # One probe per term, then each term's remaining pages: nothing asked twice.
    assert counters["library_split_requests"] == sum(
        pages_for(n) for n in term_totals(same_size_server).values()
    )
    pages = search_pages(same_size_server)
    assert len(pages) == len(set(pages))
    assert {q for q, _ in pages if "size:1234..1234" in q} >= {
        f'"#include <{t}" language:C++ size:1234..1234' for t in TERMS
    }
    assert "1 split by library in" in out
    assert same_size_server.rejected == 0
    assert not Checkpoint.objects.filter(collector="boost_usage_tracker").exists()


def test_without_a_header_map_the_byte_is_read_to_the_cap_and_reported(
    settings, tmp_path, fake_clock
):
    # No catalogue: no terms to split by, so the byte keeps its first 1,000 only.
    server = start_server(settings, tmp_path, same_size_corpus(), clock=fake_clock)
    try:
        finished, out = run("--task", "search", clock=fake_clock)
    finally:
        server.stop()
    assert finished.status == "succeeded", out
    assert finished.counters["capped_slices"] == 1
    assert "library_split_slices" not in finished.counters
    assert len(stored_pairs()) < len(expected_pairs(server))


def test_max_requests_and_a_secondary_limit_mid_split_resume_at_the_same_term_and_page(
    same_size_server, fake_clock
):
    # Stop every two searches until the split is under way, past its first term.
    for _ in range(60):
        run("--task", "search", "--max-requests", "3", clock=fake_clock)
        cursor = split_cursor()
        if cursor["split_kind"] == "byte" and len(cursor["splits_left"]) < len(TERMS):
            break
    else:
        pytest.fail("the run never reached the library split")
    stopped_at = cursor["splits_left"][0]
    _, plan = run("--dry-run", "--task", "search", clock=fake_clock)
    assert f'terms left of a byte split, next \'"#include <{stopped_at["term"]}"' in plan
    before = search_pages(same_size_server)
    same_size_server.search_faults.append(
        rate_limited(
            remaining=None, retry_after=3600, message="You have exceeded a secondary rate limit."
        )
    )
    with pytest.raises(RateLimitExhausted, match="wait of 3600s exceeds"):
        run("--task", "search", clock=fake_clock)
    # The refused request left the checkpoint where it was.
    assert split_cursor()["splits_left"][0] == stopped_at

    resumed, out = run("--task", "search", clock=fake_clock)

    assert resumed.status == "succeeded", out
    assert "resuming the pass of" in out
    pages = search_pages(same_size_server)
    # Only the request the limit refused is asked again, and it is the split's next one.
    assert len(pages) - len(set(pages)) == 1
    assert pages[len(before)] == pages[len(before) + 1]
    assert f'"#include <{stopped_at["term"]}"' in pages[len(before)][0]
    assert_all_read_once(same_size_server)


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_mid_split_resumes_to_the_same_rows(settings, tmp_path, fake_clock):
    store_catalogue()
    server = start_server(settings, tmp_path, same_size_corpus(), limit=100_000)
    server.search_delay = 0.05
    try:
        child = start_search_child(server, tmp_path)
        deadline = time.monotonic() + 120
        # Kill it once the third term's pages are being asked for.
        while child.poll() is None and not any(TERMS[2] in q for q, _ in search_pages(server)):
            assert time.monotonic() < deadline, "the child never reached the split"
            time.sleep(0.02)
        kill_and_wait(child, lock_name=LOCK)
        cursor = split_cursor()
        assert cursor["split_kind"] == "byte"
        assert 0 < len(cursor["splits_left"]) < len(TERMS)
        killed_at = len(search_pages(server))
        server.search_delay = 0

        resumed, out = run("--task", "search", clock=fake_clock)

        assert resumed.status == "succeeded", out
        assert "resuming the pass of" in out
        pages = search_pages(server)
        assert len(pages) - len(set(pages)) <= 1  # at most the page in flight
        assert len(pages) > killed_at
        assert_all_read_once(server)
    finally:
        server.stop()


def wanted_pairs(server, terms: list[str]) -> set[tuple[str, str]]:
    return {
        (repo, header)
        for repo, header in expected_pairs(server)
        if any(covers(term, header) for term in terms)
    }


def test_two_wanted_libraries_are_read_by_their_own_queries(search_server, fake_clock):
    # asio and json: about 1,300 and 700 of the 2,500 files, fewer requests than the
    # whole query's 25 pages.
    finished, out = run(
        "--task", "search", "--library", "asio", "--library", "json", clock=fake_clock
    )
    assert finished.status == "succeeded", out
    assert "library route, chosen after 2 library probes" in out
    assert stored_pairs() == wanted_pairs(search_server, ["boost/asio", "boost/json"])
    assert finished.counters["search_requests"] < 25
    assert not Checkpoint.objects.filter(collector="boost_usage_tracker").exists()


def test_wanted_libraries_that_overlap_are_read_through_the_whole_query(search_server, fake_clock):
    # All six (their terms from the header map: utility/call_traits is
    # boost/call_traits): the files that include two or three of them are counted in
    # each, so their totals come to about twice the whole query's; it is read instead,
    # in fewer requests than the libraries' pages alone would take.
    flags = [arg for key in LIBRARIES for arg in ("--library", key)]
    finished, out = run("--task", "search", *flags, clock=fake_clock)
    assert finished.status == "succeeded", out
    assert "size route, chosen after 6 library probes" in out
    assert stored_pairs() == wanted_pairs(search_server, TERMS) == expected_pairs(search_server)
    pages_by_library = sum(math.ceil(n / 100) for n in term_totals(search_server).values())
    assert finished.counters["search_requests"] < pages_by_library
    pages = search_pages(search_server)
    assert pages[0][0] == '"#include <boost/" language:C++ size:0..384000'
