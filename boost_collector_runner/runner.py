"""Run a list of management commands one after another as one batch.

Shared by `run_scheduled_collectors` and `run_all_collectors`, so both follow the
same rules: YAML (or list) order, one command at a time, a failure does not stop
the rest unless asked, a summary line, exit 0 only when everything succeeded.

The batch is a ledger row of kind `batch`; each command's own row points at it
through `run_context(parent_id=...)`. A command that wrote no row of its own (a
plain Django command, an unknown name, a task that was never started) gets one
written here, so the ledger always has one child per task.

A PostgreSQL advisory lock per batch name makes a duplicate delivery (two Beats, a
redelivered message, a manual run during a scheduled one) harmless: the second one
is recorded `skipped` and runs nothing. A task skipped because another run of its
command holds that command's lock did not do its work here: it counts as skipped,
never as succeeded, and the batch exits with EXIT_TASK_SKIPPED unless a task failed.

A batch starts by closing the rows dead processes left `running` (their locks are
free), so the status page, /health/ and /metrics stop counting them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper
from django.db import DatabaseError
from django.utils import timezone

from core import runs
from core.errors import (
    CollectorFailureCategory,
    classify_failure,
    database_unavailable,
    one_line,
)
from core.locks import AdvisoryLock
from core.models import CollectorRun, RunKind, RunStatus

logger = logging.getLogger(__name__)

# A batch exits with this when nothing failed but a task was skipped because another
# run of its command was in progress (EX_TEMPFAIL: try again later).
EXIT_TASK_SKIPPED = 75


@dataclass(frozen=True)
class PlannedTask:
    """A command to run in a batch; `blocked` fails it without running it, with that reason."""

    command: str
    args: tuple[str, ...] = ()
    group: str = ""
    blocked: str = ""
    blocked_category: str = CollectorFailureCategory.UNKNOWN.value


@dataclass
class TaskOutcome:
    task: PlannedTask
    status: str
    exit_code: int = 0
    category: str = ""
    reason: str = ""
    seconds: float = 0.0
    began_at: datetime | None = None


@dataclass
class BatchResult:
    """What a batch did; `exit_code` is 0 only when every task succeeded."""

    outcomes: list[TaskOutcome] = field(default_factory=list)
    summary: str = ""
    exit_code: int = 0
    duplicate: bool = False

    def succeeded(self, *, command: str, group: str) -> bool:
        """True when the batch ran `command` of `group` and it succeeded."""
        return any(
            (o.task.command, o.task.group, o.status) == (command, group, RunStatus.SUCCEEDED)
            for o in self.outcomes
        )


@dataclass(frozen=True)
class BatchSpec:
    """How to record a batch: the ledger's command/label/group and the lock's name."""

    command: str
    label: str
    lock_name: str
    group: str = ""


def run_batch(
    *,
    spec: BatchSpec,
    tasks: Sequence[PlannedTask],
    stop_on_failure: bool,
    stdout: OutputWrapper,
    stderr: OutputWrapper,
    disabled: int = 0,
) -> BatchResult:
    """Run `tasks` in order under the batch lock and return the outcome.

    `disabled` is how many tasks the selection holds with `enabled: false`; the
    summary says so ("1 disabled").

    Raises CommandError (one line) when the database cannot be reached, before
    anything runs: without the ledger and the lock a batch must not start.
    """
    lock = AdvisoryLock(spec.lock_name)
    try:
        acquired = lock.acquire()
        context = runs.current_run_context()
        with runs.run_context(
            trigger=context.trigger, group=spec.group, parent_id=context.parent_id
        ):
            if not acquired:
                return _record_duplicate(spec, stdout)
            _close_abandoned_runs(spec.lock_name)
            row = runs.start_run(
                command=spec.command,
                collector=spec.label,
                kind=RunKind.BATCH,
                lock_name=spec.lock_name,
            )
    except (DatabaseError, psycopg.Error) as exc:
        lock.release()
        raise database_unavailable(spec.command, exc) from exc
    try:
        return _run_tasks(row, spec, tasks, stop_on_failure, stdout, stderr, disabled)
    finally:
        lock.release()


def _close_abandoned_runs(own_lock: str) -> None:
    for dead in runs.close_abandoned_runs(own_lock=own_lock):
        logger.warning("%s: run #%s %s", dead.command, dead.pk, dead.error_summary)


def _record_duplicate(spec: BatchSpec, stdout: OutputWrapper) -> BatchResult:
    holder = (
        CollectorRun.objects.filter(
            kind=RunKind.BATCH, lock_name=spec.lock_name, status=RunStatus.RUNNING
        )
        .order_by("-started_at")
        .first()
    )
    reason = f"the same batch ({spec.lock_name}) is already running"
    if holder is not None:
        reason += f" as run #{holder.pk} on {holder.host or '?'} pid {holder.pid}"
    runs.record_finished_run(
        command=spec.command,
        collector=spec.label,
        kind=RunKind.BATCH,
        status=RunStatus.SKIPPED,
        exit_code=0,
        error=reason,
    )
    summary = f"{spec.label}: skipped, {reason}"
    logger.warning(summary)
    stdout.write(summary)
    return BatchResult(summary=summary, duplicate=True)


def _run_tasks(
    row: CollectorRun,
    spec: BatchSpec,
    tasks: Sequence[PlannedTask],
    stop_on_failure: bool,
    stdout: OutputWrapper,
    stderr: OutputWrapper,
    disabled: int,
) -> BatchResult:
    started = time.monotonic()
    trigger = runs.current_run_context().trigger
    result = BatchResult()
    stopped_by = ""
    for task in tasks:
        with runs.run_context(trigger=trigger, group=task.group, parent_id=row.pk):
            if stopped_by:
                outcome = TaskOutcome(
                    task,
                    RunStatus.SKIPPED,
                    reason=f"not run: --stop-on-failure after {stopped_by} failed",
                )
                logger.warning("%s: %s", task.command, outcome.reason)
                own_row = None
            else:
                outcome, own_row = _run_one(row, task, stdout, stderr)
            if own_row is None:
                _record_child_row(outcome)
        result.outcomes.append(outcome)
        if outcome.status == RunStatus.FAILED:
            result.exit_code = result.exit_code or outcome.exit_code or 1
            if stop_on_failure and not stopped_by:
                stopped_by = task.command
    if not result.exit_code and any(_locked(o) for o in result.outcomes):
        result.exit_code = EXIT_TASK_SKIPPED
    result.summary = _summary(result.outcomes, time.monotonic() - started, disabled=disabled)
    status = RunStatus.SUCCEEDED if result.exit_code == 0 else RunStatus.FAILED
    runs.finish_run(
        run=row,
        status=status,
        exit_code=result.exit_code,
        failure_category=_first_failure_category(result.outcomes),
        error=result.summary if status == RunStatus.FAILED else "",
        counters=_counts(result.outcomes),
    )
    # The summary itself is printed once, on stdout (under Celery stdout goes to the
    # worker's log); the record says where the full outcome is kept.
    # Each failure was logged once where it happened; this record closes the batch.
    (logger.info if status == RunStatus.SUCCEEDED else logger.warning)(
        "%s: %s, exit code %s (ledger run #%s)",
        spec.label,
        status,
        result.exit_code,
        row.pk,
    )
    stdout.write(result.summary)
    return result


def _run_one(
    batch: CollectorRun, task: PlannedTask, stdout: OutputWrapper, stderr: OutputWrapper
) -> tuple[TaskOutcome, CollectorRun | None]:
    """Run one command; return its outcome and the ledger row it wrote, if any.

    A collector command records a run skipped for its lock as a success of the
    process (exit 0): its own row says what really happened, and wins.
    """
    if task.blocked:
        # The failure that blocks it (the release check) was logged once already.
        logger.warning(
            "%s: not run, %s",
            task.command,
            task.blocked,
            extra={"collector": task.command, "failure_category": task.blocked_category},
        )
        return TaskOutcome(task, RunStatus.FAILED, 1, task.blocked_category, task.blocked), None
    logger.info("%s: started (args %s)", task.command, list(task.args) or "none")
    began, began_at = time.monotonic(), timezone.now()
    outcome = TaskOutcome(task, RunStatus.SUCCEEDED)
    try:
        call_command(task.command, *task.args, stdout=stdout, stderr=stderr)
    except CommandError as exc:
        outcome = _failed(task, exc, exc.returncode)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        if code:
            outcome = TaskOutcome(
                task,
                RunStatus.FAILED,
                code,
                CollectorFailureCategory.COMMAND,
                f"exited with code {code}",
            )
    except Exception as exc:
        outcome = _failed(task, exc, 1)
    outcome.seconds, outcome.began_at = time.monotonic() - began, began_at
    own_row = (
        CollectorRun.objects.filter(
            parent_id=batch.pk, command=task.command, started_at__gte=began_at
        )
        .order_by("-id")
        .first()
    )
    if own_row is not None and own_row.status == RunStatus.SKIPPED:
        outcome.status, outcome.category = RunStatus.SKIPPED, CollectorFailureCategory.LOCKED
        outcome.reason = own_row.error_summary
    # A command that wrote its own row has logged its own failure, once.
    failed_unreported = outcome.status == RunStatus.FAILED and own_row is None
    logger.log(
        logging.ERROR if failed_unreported else logging.INFO,
        "%s: %s in %s, exit code %s%s",
        task.command,
        outcome.status,
        runs.format_duration(outcome.seconds),
        outcome.exit_code,
        f" ({outcome.category}: {outcome.reason})" if outcome.reason else "",
        extra={"collector": task.command, "failure_category": outcome.category or "-"},
    )
    return outcome, own_row


def _locked(outcome: TaskOutcome) -> bool:
    locked = outcome.category == CollectorFailureCategory.LOCKED
    return outcome.status == RunStatus.SKIPPED and locked


def _failed(task: PlannedTask, exc: BaseException, exit_code: int) -> TaskOutcome:
    return TaskOutcome(
        task, RunStatus.FAILED, exit_code or 1, classify_failure(exc).value, one_line(exc)
    )


def _record_child_row(outcome: TaskOutcome) -> None:
    """Write the ledger row of a task whose command did not write one itself."""
    runs.record_finished_run(
        command=outcome.task.command,
        status=outcome.status,
        exit_code=outcome.exit_code,
        failure_category=outcome.category,
        error=outcome.reason,
    )


def _summary(outcomes: Sequence[TaskOutcome], seconds: float, *, disabled: int = 0) -> str:
    """E.g. '4 tasks: 3 succeeded, 1 failed (run_x: rate_limit), 0 skipped in 12m03s'."""
    failed = [f"{o.task.command}: {o.category}" for o in outcomes if o.status == RunStatus.FAILED]
    locked = [f"{o.task.command}: another run in progress" for o in outcomes if _locked(o)]
    details = {"failed": ", ".join(failed), "skipped": ", ".join(locked)}
    text = runs.batch_counts_summary(_counts(outcomes), details=details)
    if disabled:
        text += f", {disabled} disabled"
    return f"{text} in {runs.format_duration(seconds)}"


def _counts(outcomes: Sequence[TaskOutcome]) -> dict[str, Any]:
    counts = {"tasks": len(outcomes), "succeeded": 0, "failed": 0, "skipped": 0}
    for outcome in outcomes:
        counts[str(outcome.status)] += 1
    return counts


def _first_failure_category(outcomes: Sequence[TaskOutcome]) -> str:
    failed = (o.category for o in outcomes if o.status == RunStatus.FAILED)
    locked = (o.category for o in outcomes if _locked(o))
    return next(failed, next(locked, ""))
