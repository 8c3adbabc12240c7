"""The usage search planner against the loopback search server (which enforces the
1,000-result cap and 10 searches a minute on a fake clock, so no real waiting).

Reported, not asserted as speed: the slices a 50,000-result query needs (the
minimum is ceil(50,000 / 1,000) = 50; the target is at most about twice that),
the search requests that costs, and the requests per usage a whole `--task all` run
spends on a smaller corpus.
"""

from __future__ import annotations

import math

import pytest

from boost_usage_tracker.fetchers import RequestBudget, SearchFetcher, search_query
from boost_usage_tracker.models import BoostUsage
from boost_usage_tracker.planner import RESULT_CAP, PlanState
from boost_usage_tracker.testing.search_server import make_corpus
from boost_usage_tracker.tests.conftest import run, start_server, store_catalogue
from core.http import GitHubClient
from core.testing.clock import FakeClock

pytestmark = pytest.mark.django_db

TOTAL = 50_000


def plan_only(server, clock: FakeClock) -> PlanState:
    """Walk one pass as the collector does, without storing: every probe and page."""
    budget = RequestBudget()
    with GitHubClient(
        base_url=server.base_url, clock=clock, conditional=False, on_response=budget.on_response
    ) as client:
        fetcher = SearchFetcher(client, clock=clock, budget=budget, max_wait=120)
        fetcher.read_budget()
        state = PlanState.new(started_at="2026-12-07T04:10:00+00:00", max_size=384000)
        while not state.finished:
            piece, page = state.next_request()
            answer = fetcher.page(query=search_query(library=None), piece=piece, page=page)
            state.record(
                total=answer.total_count, incomplete=answer.incomplete, received=answer.received
            )
    return state


@pytest.mark.parametrize("skew", [False, True], ids=["uniform sizes", "skewed sizes"])
def test_slices_for_a_50000_result_query(settings, tmp_path, request_lines, skew) -> None:
    clock = FakeClock()
    server = start_server(
        settings, tmp_path, make_corpus(files=TOTAL, repos=2000, skew=skew), clock=clock
    )
    try:
        state = plan_only(server, clock)
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
