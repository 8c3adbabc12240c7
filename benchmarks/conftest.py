"""Benchmark fixtures and the summary lines: ingest rates, page latencies, requests per run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pytest

RATES: dict[str, dict[int, float]] = defaultdict(dict)
# "<run>: N requests (M answered 304)", filled by test_request_benchmark.py.
REQUEST_LINES: list[str] = []
LATENCIES: list[str] = []
# Lines of test_search_benchmark.py: indexing rate, unchanged re-run, query latency.
SEARCH_LINES: list[str] = []
# Lines of test_people_benchmark.py: matching rate and an unchanged re-run.
PEOPLE_LINES: list[str] = []
# Lines of test_git_benchmark.py: the git path's rate beside its target.
GIT_LINES: list[str] = []


@pytest.fixture
def record_rate() -> Callable[[str, int, float], float]:
    """Store a writer's commits/second for the summary lines; return the rate."""

    def record(writer: str, count: int, seconds: float) -> float:
        rate = count / seconds
        RATES[writer][count] = rate
        return rate

    return record


@pytest.fixture
def request_lines() -> list[str]:
    """Lines `<run>: N requests (M answered 304)` for the "requests per run" section."""
    return REQUEST_LINES


@pytest.fixture
def record_latency() -> Callable[[str, int, int, float, float], None]:
    """Store a page's p50/p99 (seconds) for the summary lines."""

    def record(page: str, rows: int, requests: int, p50: float, p99: float) -> None:
        LATENCIES.append(
            f"{page} with {rows} ledger rows: p50 {p50 * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms over {requests} requests"
        )

    return record


@pytest.fixture
def record_search_line() -> Callable[[str], None]:
    """Add a line to the "search" section of the summary."""
    return SEARCH_LINES.append


@pytest.fixture
def git_lines() -> list[str]:
    """Lines for the "git path" section of the summary."""
    return GIT_LINES


@pytest.fixture
def record_people_line() -> Callable[[str], None]:
    """Add a line to the "people" section of the summary."""
    return PEOPLE_LINES.append


def summary_lines() -> list[str]:
    """`ingest N=…: X commits/s | naive Y | COPY Z | PostgreSQL alone W`, one per size."""
    naive = ", ".join(f"{rate:.0f} commits/s (N={n})" for n, rate in RATES["naive"].items())
    lines = []
    for count, rate in sorted(RATES["bulk"].items()):
        line = f"ingest N={count}: {rate:.0f} commits/s"
        if naive:
            speedup = rate / max(RATES["naive"].values())
            line += f" | naive {naive}, x{speedup:.0f}"
        if count in RATES["copy"]:
            line += f" | COPY {RATES['copy'][count]:.0f} commits/s"
        if count in RATES["postgres"]:
            floor = RATES["postgres"][count]
            line += f" | PostgreSQL alone {floor:.0f} commits/s (ours {rate / floor:.0%} of it)"
        lines.append(line)
    for count, rate in RATES["bulk re-read"].items():
        lines.append(
            f"re-read of N={count} unchanged commits: {rate:.0f} commits/s, 0 rows written"
        )
    return [*lines, *LATENCIES]


def pytest_terminal_summary(terminalreporter) -> None:
    lines = summary_lines()
    if lines:
        terminalreporter.section("benchmark summary")
        for line in lines:
            terminalreporter.write_line(line)
    if SEARCH_LINES:
        terminalreporter.section("search")
        for line in SEARCH_LINES:
            terminalreporter.write_line(line)
    if GIT_LINES:
        terminalreporter.section("git path")
        for line in GIT_LINES:
            terminalreporter.write_line(line)
    if PEOPLE_LINES:
        terminalreporter.section("people")
        for line in PEOPLE_LINES:
            terminalreporter.write_line(line)
    if REQUEST_LINES:
        terminalreporter.section("requests per run")
        for line in REQUEST_LINES:
            terminalreporter.write_line(line)
