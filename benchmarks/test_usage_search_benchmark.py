"""The usage search planner against the loopback search server (which enforces the
1,000-result cap and 10 searches a minute on a fake clock, so no real waiting).

Reported, not asserted as speed: the slices a 50,000-result query needs (the
minimum is ceil(50,000 / 1,000) = 50; the target is at most about twice that),
the search requests that costs, the requests per usage a whole `--task all` run
spends on a smaller corpus, and the same for a corpus whose files all have one size
(a one-byte slice over the cap, read by splitting it by library); and what reading
every library's own query costs against the whole query by size, on files that
include one library each (the case most favourable to the library route).
"""

from __future__ import annotations

import math

import pytest

from boost_usage_tracker.models import BoostUsage
from boost_usage_tracker.planner import RESULT_CAP, split_terms
from boost_usage_tracker.testing.search_server import make_corpus, walk_plan
from boost_usage_tracker.tests.conftest import LIBRARIES, run, start_server, store_catalogue
from core.testing.clock import FakeClock

pytestmark = pytest.mark.django_db

TOTAL = 50_000
# The split terms of the test catalogue's header map (six libraries).
TERMS = split_terms({path: key for key, (_, paths) in LIBRARIES.items() for path in paths})


@pytest.mark.parametrize("skew", [False, True], ids=["uniform sizes", "skewed sizes"])
def test_slices_for_a_50000_result_query(settings, tmp_path, request_lines, skew) -> None:
    clock = FakeClock()
    server = start_server(
        settings, tmp_path, make_corpus(files=TOTAL, repos=2000, skew=skew), clock=clock
    )
    try:
        state = walk_plan(server, clock, terms=TERMS, max_size=384000)
    finally:
        server.stop()
    minimum = math.ceil(TOTAL / RESULT_CAP)
    searches = server.search_requests
    request_lines.append(
        f"usage planner, {TOTAL} results ({'skewed' if skew else 'uniform'} sizes): "
        f"{state.slices_done} slices (minimum {minimum}, {state.slices_done / minimum:.2f}x), "
        f"{state.splits} splits, {searches} search requests "
        f"(minimum {math.ceil(TOTAL / 100)} pages), {server.rejected} rejected, "
        f"{len(state.capped)} capped"
    )
    assert server.rejected == 0
    assert not state.capped
    assert max(server.totals_read) <= RESULT_CAP


def test_requests_per_usage_of_a_whole_run(settings, tmp_path, request_lines) -> None:
    store_catalogue()
    clock = FakeClock()
    server = start_server(settings, tmp_path, make_corpus(files=2_500, repos=100), clock=clock)
    try:
        finished, _ = run("--task", "all", clock=clock)
    finally:
        server.stop()
    usages = BoostUsage.objects.count()
    searches = finished.counters.get("search_requests", 0)
    graphql = finished.counters.get("graphql_requests", 0)
    request_lines.append(
        f"usage run --task all, 2500 files in 100 repositories: {usages} usages from "
        f"{searches} search + {graphql} GraphQL requests "
        f"({(searches + graphql) / usages:.3f} requests per usage)"
    )


def test_requests_per_usage_when_a_byte_needs_a_library_split(
    settings, tmp_path, request_lines
) -> None:
    store_catalogue()
    clock = FakeClock()
    corpus = make_corpus(files=2_500, repos=100, same_size=1234, most_headers=2)
    server = start_server(settings, tmp_path, corpus, clock=clock)
    try:
        finished, _ = run("--task", "search", clock=clock)
    finally:
        server.stop()
    usages = BoostUsage.objects.count()
    counters = finished.counters
    searches = counters["search_requests"]
    request_lines.append(
        f"usage run --task search, 2500 files all of 1234 bytes: {usages} usages from "
        f"{searches} search requests ({searches / usages:.3f} requests per usage), "
        f"{counters['slices']} slices, {counters['library_split_slices']} split by library "
        f"in {counters['library_split_requests']} requests, "
        f"{counters.get('capped_slices', 0)} capped"
    )
    assert counters.get("capped_slices", 0) == 0
    assert server.rejected == 0


def test_every_library_by_its_own_query_against_the_whole_query_by_size(
    settings, tmp_path, request_lines
) -> None:
    clock = FakeClock()
    server = start_server(
        settings, tmp_path, make_corpus(files=5_100, repos=200, most_headers=1), clock=clock
    )
    try:
        by_size = walk_plan(server, clock, terms=[], max_size=384000)
        size_requests = server.search_requests
        weighed = walk_plan(server, clock, terms=TERMS, max_size=384000, wanted=True)
        weighed_requests = server.search_requests - size_requests
    finally:
        server.stop()
    request_lines.append(
        f"usage planner, 5100 files of one library each, {len(TERMS)} libraries: whole "
        f"query by size {size_requests} search requests ({by_size.slices_done} slices); "
        f"all libraries wanted: {weighed.route} route in {weighed_requests} requests "
        f"({weighed.route_probes} library probes, 1 whole-query probe)"
    )
    assert server.rejected == 0
