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
is recorded `skipped` and runs nothing.
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
) -> BatchResult:
    """Run `tasks` in order under the batch lock and return the outcome.

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
            row = runs.start_run(command=spec.command, collector=spec.label, kind=RunKind.BATCH)
    except (DatabaseError, psycopg.Error) as exc:
        lock.release()
        raise database_unavailable(spec.command, exc) from exc
    try:
        if not acquired:
            return _record_duplicate(row, spec, stdout)
        return _run_tasks(row, spec, tasks, stop_on_failure, stdout, stderr)
    finally:
        lock.release()


def _record_duplicate(row: CollectorRun, spec: BatchSpec, stdout: OutputWrapper) -> BatchResult:
    holder = (
        CollectorRun.objects.filter(
            kind=RunKind.BATCH,
            command=spec.command,
            collector=spec.label,
            group=spec.group,
            status=RunStatus.RUNNING,
        )
        .exclude(pk=row.pk)
        .first()
    )
    reason = f"the same batch ({spec.lock_name}) is already running"
    if holder is not None:
        reason += f" as run #{holder.pk} on {holder.host or '?'} pid {holder.pid}"
    runs.finish_run(run=row, status=RunStatus.SKIPPED, exit_code=0, error=reason)
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
            else:
                outcome = _run_one(task, stdout, stderr)
            _ensure_child_row(row, outcome)
        result.outcomes.append(outcome)
        if outcome.status == RunStatus.FAILED:
            result.exit_code = result.exit_code or outcome.exit_code or 1
            if stop_on_failure and not stopped_by:
                stopped_by = task.command
    result.summary = _summary(result.outcomes, time.monotonic() - started)
    status = RunStatus.SUCCEEDED if result.exit_code == 0 else RunStatus.FAILED
    runs.finish_run(
        run=row,
        status=status,
        exit_code=result.exit_code,
        failure_category=_first_failure_category(result.outcomes),
        error=result.summary if status == RunStatus.FAILED else "",
        counters=_counts(result.outcomes),
    )
    (logger.info if status == RunStatus.SUCCEEDED else logger.error)(
        "%s: %s", spec.label, result.summary
    )
    stdout.write(result.summary)
    return result


def _run_one(task: PlannedTask, stdout: OutputWrapper, stderr: OutputWrapper) -> TaskOutcome:
    """Run one command, turning its exit (or exception) into an outcome."""
    if task.blocked:
        logger.error(
            "%s: not run, %s",
            task.command,
            task.blocked,
            extra={"collector": task.command, "failure_category": task.blocked_category},
        )
        return TaskOutcome(task, RunStatus.FAILED, 1, task.blocked_category, task.blocked)
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
    level = logging.INFO if outcome.status == RunStatus.SUCCEEDED else logging.ERROR
    logger.log(
        level,
        "%s: %s in %s, exit code %s%s",
        task.command,
        outcome.status,
        runs.format_duration(outcome.seconds),
        outcome.exit_code,
        f" ({outcome.category}: {outcome.reason})" if outcome.reason else "",
        extra={"collector": task.command, "failure_category": outcome.category or "-"},
    )
    return outcome


def _failed(task: PlannedTask, exc: BaseException, exit_code: int) -> TaskOutcome:
    return TaskOutcome(
        task, RunStatus.FAILED, exit_code or 1, classify_failure(exc).value, one_line(exc)
    )


def _ensure_child_row(batch: CollectorRun, outcome: TaskOutcome) -> None:
    """Write the task's ledger row when its command did not write one itself."""
    own_rows = CollectorRun.objects.filter(parent_id=batch.pk, command=outcome.task.command)
    if outcome.began_at is not None and own_rows.filter(started_at__gte=outcome.began_at).exists():
        return
    child = runs.start_run(command=outcome.task.command)
    runs.finish_run(
        run=child,
        status=outcome.status,
        exit_code=outcome.exit_code,
        failure_category=outcome.category,
        error=outcome.reason,
    )


def _summary(outcomes: Sequence[TaskOutcome], seconds: float) -> str:
    """E.g. '4 tasks: 3 succeeded, 1 failed (run_x: rate_limit), 0 skipped in 12m03s'."""
    counts = _counts(outcomes)
    failed = [f"{o.task.command}: {o.category}" for o in outcomes if o.status == RunStatus.FAILED]
    noun = "task" if len(outcomes) == 1 else "tasks"
    return (
        f"{len(outcomes)} {noun}: {counts['succeeded']} succeeded, {counts['failed']} failed"
        + (f" ({', '.join(failed)})" if failed else "")
        + f", {counts['skipped']} skipped in {runs.format_duration(seconds)}"
    )


def _counts(outcomes: Sequence[TaskOutcome]) -> dict[str, Any]:
    counts = {"tasks": len(outcomes), "succeeded": 0, "failed": 0, "skipped": 0}
    for outcome in outcomes:
        counts[str(outcome.status)] += 1
    return counts


def _first_failure_category(outcomes: Sequence[TaskOutcome]) -> str:
    return next((o.category for o in outcomes if o.status == RunStatus.FAILED), "")
