"""Turn a schedule request (a kind, or a group's batch) into a batch run.

This is where on_release is decided: the release detectors are asked only when the
selected tasks include enabled on_release tasks, a failing check fails only those
tasks, and a release is marked consumed per group once its on_release tasks have
all succeeded (so a failed run retries at the group's next batch).

A daily run is when a group runs, so it carries the group's on_release tasks too:
`--schedule daily --group github` does what Beat's batch of that group does on a day
without weekly or monthly tasks, and `make run` fills the catalogue when a release
is new.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from django.core.management.base import OutputWrapper

from boost_collector_runner import releases
from boost_collector_runner.models import DetectedRelease
from boost_collector_runner.runner import BatchResult, BatchSpec, PlannedTask, run_batch
from boost_collector_runner.schedule import DAILY, ON_RELEASE, Schedule, Task
from boost_collector_runner.selection import Selection, batch_tasks, groups_for, select_tasks
from core.errors import classify_failure, require_database

logger = logging.getLogger(__name__)

COMMAND = "run_scheduled_collectors"
BATCH = "batch"


@dataclass(frozen=True)
class Request:
    """One run of the scheduler: a schedule kind or BATCH (a group's Beat run)."""

    selection: Selection
    stop_on_failure: bool = False
    force: bool = False

    @property
    def label(self) -> str:
        return f"{self.selection.kind} batch" if self.selection.kind != BATCH else "group batch"

    @property
    def lock_name(self) -> str:
        sel = self.selection
        name = f"batch:{sel.kind}:{sel.group or 'all'}"
        return name + (f":{sel.interval_minutes}min" if sel.interval_minutes else "")


def resolve(schedule: Schedule, request: Request, *, today: date) -> list[Task]:
    """The enabled tasks the request selects, in file order, before the release check."""
    selection = request.selection
    if selection.kind == BATCH:
        return [
            task
            for group in groups_for(schedule, selection.group)
            for task in batch_tasks(group, today=today)
        ]
    if selection.kind == DAILY:
        return [
            task
            for group in groups_for(schedule, selection.group)
            for task in group.tasks
            if task.enabled and task.schedule in (DAILY, ON_RELEASE)
        ]
    return select_tasks(schedule, selection, today=today)


def disabled_in(schedule: Schedule, request: Request, *, today: date) -> list[Task]:
    """The disabled tasks the request would select if they were enabled.

    A group run says how many it left out, so `enabled: false` is never silent.
    """
    everything = replace(
        schedule,
        groups=tuple(
            replace(group, tasks=tuple(replace(task, enabled=True) for task in group.tasks))
            for group in schedule.groups
        ),
    )
    switched_off = {
        (t.group, t.position) for g in schedule.groups for t in g.tasks if not t.enabled
    }
    return [
        task
        for task in resolve(everything, request, today=today)
        if (task.group, task.position) in switched_off
    ]


def run_scheduled(
    *,
    schedule: Schedule,
    request: Request,
    today: date,
    stdout: OutputWrapper,
    stderr: OutputWrapper,
) -> BatchResult:
    """Resolve, check for releases when needed, run the batch and record consumption."""
    tasks = resolve(schedule, request, today=today)
    require_database(COMMAND)  # before the release check reaches the network
    planned, pending = _plan_releases(tasks, force=request.force, stdout=stdout)
    spec = BatchSpec(
        command=COMMAND,
        label=request.label,
        lock_name=request.lock_name,
        group=request.selection.group or "",
    )
    result = run_batch(
        spec=spec,
        tasks=planned,
        stop_on_failure=request.stop_on_failure,
        stdout=stdout,
        stderr=stderr,
        disabled=len(disabled_in(schedule, request, today=today)),
    )
    if not result.duplicate:
        _consume(result, pending, tasks)
    return result


def _plan_releases(
    tasks: list[Task], *, force: bool, stdout: OutputWrapper
) -> tuple[list[PlannedTask], dict[str, DetectedRelease]]:
    """Keep, drop or block the on_release tasks; return the plan and each group's release."""
    release_groups = list(dict.fromkeys(t.group for t in tasks if t.schedule == ON_RELEASE))
    if not release_groups:
        return [_planned(task) for task in tasks], {}
    failure = ""
    category = ""
    try:
        releases.detect_releases()
    except Exception as exc:
        failure = f"release check failed: {type(exc).__name__}: {exc}"
        category = classify_failure(exc).value
        logger.error("%s", failure, extra={"failure_category": category})
    pending: dict[str, DetectedRelease] = {}
    due: set[str] = set()
    for group in release_groups:
        release = None if failure else releases.new_release_for_group(group=group)
        if release is not None:
            pending[group] = release
        if failure or force or release is not None:
            due.add(group)
        else:
            note = f"group '{group}': no new release, its on_release tasks do not run"
            if not releases.has_detectors():
                note += " (no release detector is registered)"
            logger.info("%s", note)
            stdout.write(note)
    plan = [
        _planned(task, blocked=failure, category=category)
        if task.schedule == ON_RELEASE
        else _planned(task)
        for task in tasks
        if task.schedule != ON_RELEASE or task.group in due
    ]
    return plan, pending


def _planned(task: Task, *, blocked: str = "", category: str = "") -> PlannedTask:
    extra = {"blocked": blocked, "blocked_category": category} if blocked else {}
    return PlannedTask(command=task.command, args=task.args, group=task.group, **extra)


def _consume(result: BatchResult, pending: dict[str, DetectedRelease], tasks: list[Task]) -> None:
    """Mark each group's release consumed when all its on_release tasks succeeded."""
    for group, release in pending.items():
        commands = [t.command for t in tasks if t.group == group and t.schedule == ON_RELEASE]
        if all(result.succeeded(command=command, group=group) for command in commands):
            releases.mark_release_consumed(release=release, group=group)
