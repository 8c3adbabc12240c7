"""Commit ingest throughput: the bulk services against a naive ORM writer, raw COPY, and
the same rows made by PostgreSQL alone (the floor no client can beat).

Not part of `make test`: `make bench` runs it alone. Each case runs once (one round):
the 100,000-commit case takes long enough to be its own average. Rows are committed
page by page (`transaction=True`), as a real run commits them.
"""

from __future__ import annotations

import time

import pytest

from benchmarks.writers import (
    bulk_ingest,
    clear_activity,
    copy_ingest,
    naive_ingest,
    server_only_ingest,
)
from github_activity_tracker.models import Commit, FileChange, Repository

SIZES = [1_000, 10_000, 100_000]
NAIVE_SIZE = 5_000  # its rate is flat in N, and 100,000 would take most of an hour
WRITERS = {
    "bulk": bulk_ingest,
    "naive": naive_ingest,
    "copy": copy_ingest,
    "postgres": server_only_ingest,
}


@pytest.fixture
def repository(db) -> Repository:
    return Repository.objects.create(
        github_id=1, owner="boostorg", name="boost", full_name="boostorg/boost"
    )


def _measure(benchmark, record_rate, writer: str, repository: Repository, count: int) -> float:
    elapsed: list[float] = []

    def run() -> None:
        started = time.perf_counter()
        WRITERS[writer](repository, count)
        elapsed.append(time.perf_counter() - started)

    benchmark.pedantic(run, setup=clear_activity, rounds=1, iterations=1)
    assert Commit.objects.count() == FileChange.objects.count() == count
    rate = record_rate(writer, count, elapsed[0])
    benchmark.extra_info["commits_per_second"] = round(rate)
    return rate


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", SIZES)
def test_bulk_ingest(benchmark, record_rate, repository, count) -> None:
    _measure(benchmark, record_rate, "bulk", repository, count)


@pytest.mark.django_db(transaction=True)
def test_naive_ingest(benchmark, record_rate, repository) -> None:
    _measure(benchmark, record_rate, "naive", repository, NAIVE_SIZE)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", SIZES)
def test_copy_ceiling(benchmark, record_rate, repository, count) -> None:
    _measure(benchmark, record_rate, "copy", repository, count)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", SIZES)
def test_postgres_alone_floor(benchmark, record_rate, repository, count) -> None:
    _measure(benchmark, record_rate, "postgres", repository, count)


@pytest.mark.django_db(transaction=True)
def test_bulk_reingest_writes_nothing(benchmark, record_rate, repository) -> None:
    """An unchanged re-read (the overlap window) must be cheap and write no row."""
    clear_activity()
    bulk_ingest(repository, 10_000)
    before = list(Commit.objects.order_by("id").values_list("id", "message")[:5])
    started = time.perf_counter()
    benchmark.pedantic(bulk_ingest, args=(repository, 10_000), rounds=1, iterations=1)
    record_rate("bulk re-read", 10_000, time.perf_counter() - started)
    assert list(Commit.objects.order_by("id").values_list("id", "message")[:5]) == before
