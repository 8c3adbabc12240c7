"""Write ledger rows the way the scheduler does, for tests of what reads them."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q

from core import runs
from core.models import CollectorRun, RunKind, RunStatus


def record_batch(
    *,
    tasks: list[tuple[str, str, str]],
    group: str = "",
    hours_ago: float = 0,
    failure_category: str = "network",
) -> CollectorRun:
    """Record a finished batch and its task runs: `tasks` is [(group, command, status)].

    The batch fails when any task did, as the runner decides. `hours_ago` moves the
    whole batch back in time.
    """
    with runs.run_context(trigger="schedule", group=group):
        batch = runs.start_run(command="run_scheduled_collectors", kind=RunKind.BATCH)
    failed = False
    counts = {"tasks": len(tasks), "succeeded": 0, "failed": 0, "skipped": 0}
    for task_group, command, status in tasks:
        counts[status] += 1
        with runs.run_context(trigger="schedule", group=task_group, parent_id=batch.pk):
            child = runs.start_run(command=command, collector=command.removeprefix("run_"))
        failing = status == RunStatus.FAILED
        failed = failed or failing
        runs.finish_run(
            run=child,
            status=status,
            exit_code=1 if failing else 0,
            failure_category=failure_category if failing else "",
        )
    runs.finish_run(
        run=batch,
        status=RunStatus.FAILED if failed else RunStatus.SUCCEEDED,
        exit_code=1 if failed else 0,
        failure_category=failure_category if failed else "",
        counters=counts,
    )
    if hours_ago:
        shift = timedelta(hours=hours_ago)
        CollectorRun.objects.filter(Q(pk=batch.pk) | Q(parent_id=batch.pk)).update(
            started_at=F("started_at") - shift, finished_at=F("finished_at") - shift
        )
        batch.refresh_from_db()
    return batch
