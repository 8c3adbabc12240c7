"""Prometheus metrics read from the run ledger on each scrape.

A custom collector rather than in-process counters: runs happen in many processes
(commands, workers, beat), and the ledger already holds the truth for all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from core import selectors
from monitoring import health

# Counter keys whose latest value is exported per command.
ITEM_COUNTERS = ("fetched", "created", "updated", "api_requests", "not_modified")


class LedgerCollector(Collector):
    """Exports run totals, last durations and items, and group freshness."""

    def collect(self) -> Iterator[Metric]:
        runs = CounterMetricFamily(
            "boost_collector_runs",
            "Collector and batch runs recorded in the ledger.",
            labels=["command", "status"],
        )
        for row in selectors.run_totals_by_command_and_status():
            runs.add_metric([row["command"], row["status"]], row["total"])
        yield runs

        duration = GaugeMetricFamily(
            "boost_collector_last_run_duration_seconds",
            "Duration of the newest finished run of each command.",
            labels=["command", "status"],
        )
        items = GaugeMetricFamily(
            "boost_collector_last_run_items",
            "Counters of the newest finished run of each command.",
            labels=["command", "counter"],
        )
        remaining = GaugeMetricFamily(
            "boost_collector_rate_limit_remaining",
            "Remaining API budget reported by the newest run of each command, where known.",
            labels=["command"],
        )
        for run in selectors.latest_run_per_command():
            if run.duration_seconds is not None:
                duration.add_metric([run.command, run.status], run.duration_seconds)
            counters = run.counters or {}
            for name in ITEM_COUNTERS:
                if name in counters:
                    items.add_metric([run.command, name], counters[name])
            if "rate_limit_remaining" in counters:
                remaining.add_metric([run.command], counters["rate_limit_remaining"])
        yield duration
        yield items
        yield remaining

        last_success = GaugeMetricFamily(
            "boost_collector_group_last_success_timestamp_seconds",
            "Unix time at which each schedule group's newest successful batch finished.",
            labels=["group"],
        )
        states = selectors.group_states(
            groups=health.known_groups(), now=timezone.now(), stale_after=timedelta(0)
        )
        for state in states:
            finished = state.last_success.finished_at if state.last_success else None
            if finished is not None:
                last_success.add_metric([state.group], finished.timestamp())
        yield last_success

        yield GaugeMetricFamily(
            "boost_collector_runs_in_progress",
            "Runs currently marked running in the ledger.",
            value=selectors.running_count(),
        )
