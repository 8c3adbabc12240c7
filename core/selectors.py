"""Reads of the run ledger (health check, status page, metrics) and of the quarantine.

Every query here is bounded (a LIMIT, or one row per group/command through an
index) so the pages stay fast with millions of ledger rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Q

from core.models import CollectorRun, QuarantinedItem, RunKind, RunStatus

HISTORY_LIMIT = 100
TREND_LIMIT = 20


@dataclass(frozen=True)
class GroupState:
    """What an operator needs to know about one schedule group."""

    group: str
    last_success: CollectorRun | None
    last_failure: CollectorRun | None
    durations: list[float] = field(default_factory=list)
    stale: bool = True


# How many of a group's newest task runs to look through for its batches.
_CHILD_WINDOW = 500


def _recent_batches(group: str) -> list[tuple[CollectorRun, int, int]]:
    """The newest batches that ran tasks of `group`: (batch, tasks, tasks not succeeded).

    A group's tasks run either in the group's own batch (Beat) or inside a batch of
    several groups (`--schedule daily` by hand, `make run`); both count. Three
    bounded queries whatever the ledger size.
    """
    parent_ids = list(
        dict.fromkeys(
            CollectorRun.objects.filter(kind=RunKind.COLLECTOR, group=group, parent__isnull=False)
            .order_by("-started_at")
            .values_list("parent_id", flat=True)[:_CHILD_WINDOW]
        )
    )[:TREND_LIMIT]
    if not parent_ids:
        return []
    tallies = {
        row["parent_id"]: (row["total"], row["not_succeeded"])
        for row in CollectorRun.objects.filter(parent_id__in=parent_ids, group=group)
        .values("parent_id")
        .annotate(
            total=Count("id"),
            not_succeeded=Count("id", filter=~Q(status=RunStatus.SUCCEEDED)),
        )
        .order_by()
    }
    batches = CollectorRun.objects.in_bulk(parent_ids)
    ordered = sorted(batches.values(), key=lambda batch: batch.started_at, reverse=True)
    return [(batch, *tallies.get(batch.pk, (0, 0))) for batch in ordered]


def group_state(*, group: str, now: datetime, stale_after: timedelta) -> GroupState:
    """A group is fresh when, within `stale_after`, a finished batch ran all its tasks well."""
    finished = [b for b in _recent_batches(group) if b[0].status != RunStatus.RUNNING]
    success = next((batch for batch, total, bad in finished if total and not bad), None)
    failure = next((batch for batch, _total, bad in finished if bad), None)
    durations = [float(b.duration_seconds) for b, _, _ in reversed(finished) if b.duration_seconds]
    last = success.finished_at if success else None
    stale = last is None or now - last > stale_after
    return GroupState(group, success, failure, durations, stale)


def group_states(
    *, groups: Iterable[str], now: datetime, stale_after: timedelta
) -> list[GroupState]:
    """`group_state` for each group, in order."""
    return [group_state(group=g, now=now, stale_after=stale_after) for g in groups]


def ledger_groups() -> list[str]:
    """Groups that task runs were recorded under (including groups no longer in the YAML)."""
    return _distinct_values(
        column='"group"', where=f"kind = '{RunKind.COLLECTOR}' AND \"group\" <> ''"
    )


def latest_runs(*, limit: int = 50, command: str = "") -> list[CollectorRun]:
    """The newest runs, optionally of one command."""
    runs = CollectorRun.objects.all()
    if command:
        runs = runs.filter(command=command)
    return list(runs.order_by("-started_at")[:limit])


def collector_history(*, command: str, limit: int = HISTORY_LIMIT) -> list[CollectorRun]:
    """The last `limit` runs of one command, oldest first (for charts)."""
    runs = latest_runs(limit=limit, command=command)
    runs.reverse()
    return runs


def run_totals_by_command_and_status() -> list[dict]:
    """Count runs per (command, status) — the Prometheus run counters."""
    return list(
        CollectorRun.objects.values("command", "status").annotate(total=Count("id")).order_by()
    )


def _distinct_values(*, column: str, where: str = "TRUE") -> list[str]:
    """Distinct values of an indexed column by a loose index scan: one probe per value.

    A plain DISTINCT reads every row; with a million runs of twenty commands this
    touches twenty index entries instead. `column` and `where` are fixed SQL from
    this module, never user input.
    """
    table = CollectorRun._meta.db_table
    sql = f"""
        WITH RECURSIVE walk(value) AS (
            SELECT min({column}) FROM {table} WHERE {where}
            UNION ALL
            SELECT (SELECT min({column}) FROM {table} WHERE {where} AND {column} > walk.value)
            FROM walk WHERE walk.value IS NOT NULL
        )
        SELECT value FROM walk WHERE value IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def distinct_commands() -> list[str]:
    """Every command in the ledger."""
    return _distinct_values(column="command")


def latest_run_per_command() -> list[CollectorRun]:
    """The newest finished run of each command."""
    latest = []
    for command in distinct_commands():
        run = (
            CollectorRun.objects.filter(command=command)
            .exclude(status=RunStatus.RUNNING)
            .order_by("-started_at")
            .first()
        )
        if run is not None:
            latest.append(run)
    return latest


def running_count() -> int:
    return CollectorRun.objects.filter(status=RunStatus.RUNNING).count()


def count_quarantined(*, collector: str, since: datetime) -> int:
    """How many of a collector's items failed (were kept in the quarantine) since a moment.

    A collector calls it at the end of a run with the run's start, for its summary:
    an item met twice in one run is one row, so it is counted once.
    """
    return QuarantinedItem.objects.filter(collector=collector, last_seen__gte=since).count()
