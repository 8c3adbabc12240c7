"""Reads of the run ledger for the health check, the status page and the metrics.

Every query here is bounded (a LIMIT, or one row per group/command through an
index) so the pages stay fast with millions of ledger rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Max

from core.models import CollectorRun, RunKind, RunStatus

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


def last_group_batch(*, group: str, status: str) -> CollectorRun | None:
    """Return the newest batch of `group` with `status` (one index lookup)."""
    return (
        CollectorRun.objects.filter(kind=RunKind.BATCH, group=group, status=status)
        .order_by("-started_at")
        .first()
    )


def group_states(
    *, groups: Iterable[str], now: datetime, stale_after: timedelta
) -> list[GroupState]:
    """Describe each group: last success and failure, recent durations, stale flag."""
    states = []
    for group in groups:
        success = last_group_batch(group=group, status=RunStatus.SUCCEEDED)
        failure = last_group_batch(group=group, status=RunStatus.FAILED)
        durations = list(
            CollectorRun.objects.filter(kind=RunKind.BATCH, group=group)
            .exclude(duration_seconds__isnull=True)
            .order_by("-started_at")
            .values_list("duration_seconds", flat=True)[:TREND_LIMIT]
        )
        durations.reverse()
        finished = success.finished_at if success else None
        stale = finished is None or now - finished > stale_after
        states.append(GroupState(group, success, failure, [float(d) for d in durations], stale))
    return states


def ledger_groups() -> list[str]:
    """Groups that have batch rows in the ledger (for groups no longer in the YAML)."""
    return sorted(
        CollectorRun.objects.filter(kind=RunKind.BATCH)
        .exclude(group="")
        .values_list("group", flat=True)
        .distinct()
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


def distinct_commands() -> list[str]:
    """Every command in the ledger, by a loose index scan: one probe per command.

    A plain DISTINCT reads every row; with a million runs of twenty commands this
    touches twenty index entries instead.
    """
    table = CollectorRun._meta.db_table
    sql = f"""
        WITH RECURSIVE walk(command) AS (
            SELECT min(command) FROM {table}
            UNION ALL
            SELECT (SELECT min(command) FROM {table} WHERE command > walk.command)
            FROM walk WHERE walk.command IS NOT NULL
        )
        SELECT command FROM walk WHERE command IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


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


def last_success_per_group() -> dict[str, datetime]:
    """When each group's newest successful batch finished."""
    rows = (
        CollectorRun.objects.filter(kind=RunKind.BATCH, status=RunStatus.SUCCEEDED)
        .exclude(group="")
        .values("group")
        .annotate(last=Max("finished_at"))
        .order_by()
    )
    return {row["group"]: row["last"] for row in rows if row["last"] is not None}


def running_count() -> int:
    return CollectorRun.objects.filter(status=RunStatus.RUNNING).count()
