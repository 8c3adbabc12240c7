"""Writes to the run ledger, run counters, and the context a run was started in.

A run's trigger, batch and group are set by whoever starts it (a person at a shell,
the scheduler, a Celery task) through `run_context`; the command that records the
run reads them, so collectors never need to know how they were started.
"""

from __future__ import annotations

import contextvars
import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.utils import timezone

from core.errors import one_line
from core.locks import held_lock_keys, lock_key
from core.models import CollectorRun, RunKind, RunStatus, RunTrigger

ERROR_SUMMARY_MAX_CHARS = 500

FETCHED = "fetched"
CREATED = "created"
UPDATED = "updated"
API_REQUESTS = "api_requests"
NOT_MODIFIED = "not_modified"

# Counters shown first in the summary line, in this order, with these words.
_SUMMARY_WORDS = {
    FETCHED: "fetched",
    CREATED: "created",
    UPDATED: "updated",
    API_REQUESTS: "API requests",
}


@dataclass(frozen=True)
class RunContext:
    trigger: str = RunTrigger.MANUAL
    group: str = ""
    parent_id: int | None = None


_current_context: contextvars.ContextVar[RunContext] = contextvars.ContextVar(
    "collector_run_context",
    default=RunContext(),  # noqa: B039 - frozen dataclass
)


@contextmanager
def run_context(
    *, trigger: str, group: str = "", parent_id: int | None = None
) -> Iterator[RunContext]:
    """Mark the runs started inside the block with a trigger, group and parent batch."""
    if trigger not in RunTrigger.values:
        raise ValueError(f"unknown run trigger {trigger!r}; use one of {RunTrigger.values}")
    context = RunContext(trigger=trigger, group=group, parent_id=parent_id)
    token = _current_context.set(context)
    try:
        yield context
    finally:
        _current_context.reset(token)


def current_run_context() -> RunContext:
    return _current_context.get()


class RunCounters:
    """Named, non-negative integer counters a collector adds to during a run."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}

    @classmethod
    def from_mapping(cls, values: Mapping[str, int]) -> RunCounters:
        """Rebuild counters stored in a ledger row (e.g. to describe them)."""
        counters = cls()
        counters._values = {str(k): int(v) for k, v in values.items()}
        return counters

    def add(self, name: str, amount: int = 1) -> None:
        if not name or not name.replace("_", "").isalnum():
            raise ValueError(f"counter name must be a word like 'fetched', got {name!r}")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise ValueError(f"counter {name!r} needs a non-negative integer, got {amount!r}")
        self._values[name] = self._values.get(name, 0) + amount

    def get(self, name: str) -> int:
        return self._values.get(name, 0)

    def as_dict(self) -> dict[str, int]:
        return dict(self._values)

    def summary(self) -> str:
        """Describe the counters in words, e.g. '120 fetched, 41 API requests (38 not modified)'."""
        parts: list[str] = []
        for name, words in _SUMMARY_WORDS.items():
            if name in self._values:
                text = f"{self._values[name]} {words}"
                if name == API_REQUESTS and NOT_MODIFIED in self._values:
                    text += f" ({self._values[NOT_MODIFIED]} not modified)"
                parts.append(text)
        shown = set(_SUMMARY_WORDS) | {NOT_MODIFIED}
        parts.extend(
            f"{value} {name.replace('_', ' ')}"
            for name, value in self._values.items()
            if name not in shown
        )
        return ", ".join(parts)


# A batch row's counters, in the order its summary line gives them.
BATCH_OUTCOMES = ("succeeded", "failed", "skipped")


def batch_counts_summary(
    counts: Mapping[str, int], *, details: Mapping[str, str] | None = None
) -> str:
    """Describe a batch's task counts: '2 tasks: 1 succeeded, 1 failed (run_x: network), ...'.

    `details` adds a parenthesis after an outcome. The order is fixed here because a
    JSONB column gives keys back in its own order.
    """
    total = int(counts.get("tasks", 0))
    noun = "task" if total == 1 else "tasks"
    parts = []
    for word in BATCH_OUTCOMES:
        note = (details or {}).get(word)
        parts.append(f"{int(counts.get(word, 0))} {word}" + (f" ({note})" if note else ""))
    return f"{total} {noun}: " + ", ".join(parts)


def _save(run: CollectorRun, fields: list[str]) -> None:
    """Save `fields`, reconnecting once if the connection died during the run."""
    try:
        run.save(update_fields=fields)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        run.save(update_fields=fields)


def start_run(
    *, command: str, collector: str = "", kind: str = RunKind.COLLECTOR, lock_name: str = ""
) -> CollectorRun:
    """Insert the ledger row of a run that is starting now, in the current run context.

    `lock_name` is the advisory lock the caller holds for as long as the row is
    `running`; `close_abandoned_runs` reads a free lock as a dead process.
    """
    return CollectorRun.objects.create(
        **_context_fields(),
        kind=kind,
        command=command,
        collector=collector,
        started_at=timezone.now(),
        status=RunStatus.RUNNING,
        lock_name=lock_name,
    )


def record_finished_run(
    *,
    command: str,
    status: str,
    exit_code: int,
    collector: str = "",
    kind: str = RunKind.COLLECTOR,
    failure_category: str = "",
    phase: str = "",
    error: BaseException | str = "",
) -> CollectorRun:
    """Insert the row of a run that ended without running (skipped, never started).

    One INSERT, never a `running` row: a row that holds no lock must not look alive,
    even for a moment, to a sweep on another machine.
    """
    _check_finished_status(status)
    now = timezone.now()
    return CollectorRun.objects.create(
        **_context_fields(),
        kind=kind,
        command=command,
        collector=collector,
        started_at=now,
        finished_at=now,
        duration_seconds=0.0,
        status=status,
        exit_code=exit_code,
        failure_category=str(failure_category),
        phase=phase,
        error_summary=_error_text(error),
    )


def _context_fields() -> dict[str, object]:
    context = current_run_context()
    return {
        "trigger": context.trigger,
        "group": context.group,
        "parent_id": context.parent_id,
        "host": socket.gethostname()[:255],
        "pid": os.getpid(),
    }


def _check_finished_status(status: str) -> None:
    if status not in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SKIPPED):
        raise ValueError(f"a finished run must be succeeded, failed or skipped, not {status!r}")


def _error_text(error: BaseException | str) -> str:
    return one_line(error, limit=ERROR_SUMMARY_MAX_CHARS) if error else ""


def finish_run(
    *,
    run: CollectorRun,
    status: str,
    exit_code: int,
    failure_category: str = "",
    phase: str = "",
    error: BaseException | str = "",
    counters: Mapping[str, int] | None = None,
) -> CollectorRun:
    """Complete a run's ledger row with its outcome, duration and counters."""
    _check_finished_status(status)
    finished_at = timezone.now()
    run.finished_at = finished_at
    run.duration_seconds = max(0.0, (finished_at - run.started_at).total_seconds())
    run.status = status
    run.exit_code = exit_code
    run.failure_category = str(failure_category)
    run.phase = phase
    run.error_summary = _error_text(error)
    if counters is not None:
        run.counters = dict(counters)
    _save(
        run,
        [
            "finished_at",
            "duration_seconds",
            "status",
            "exit_code",
            "failure_category",
            "phase",
            "error_summary",
            "counters",
        ],
    )
    return run


def latest_running(*, command: str) -> CollectorRun | None:
    """Return the newest run of `command` still marked running: usually the lock holder."""
    return (
        CollectorRun.objects.filter(command=command, status=RunStatus.RUNNING)
        .order_by("-started_at")
        .first()
    )


def close_abandoned_runs(*, own_lock: str = "", only_own: bool = False) -> list[CollectorRun]:
    """Mark `abandoned` the `running` rows whose process is gone; return them.

    A living run holds its lock (on any machine: the lock is in the shared
    PostgreSQL server) from before its row is written until after it is finished,
    so a row whose lock nobody holds belongs to a dead process. The caller passes
    the lock it holds itself as `own_lock`: rows under it are dead too (with
    `only_own`, only those are looked at). Rows without a lock name are never
    touched: nothing proves them dead.
    """
    running = CollectorRun.objects.filter(status=RunStatus.RUNNING).exclude(lock_name="")
    if only_own:
        running = running.filter(lock_name=own_lock)
    candidates = list(running.only("id", "lock_name", "host", "pid", "started_at"))
    if not candidates:
        return []
    held = held_lock_keys() - {lock_key(own_lock)} if own_lock else held_lock_keys()
    closed = []
    now = timezone.now()
    for run in candidates:
        if lock_key(run.lock_name) in held:
            continue
        why = (
            f"abandoned: pid {run.pid} on {run.host or '?'} stopped without finishing "
            f"(its lock {run.lock_name} was free at {now:%Y-%m-%d %H:%M:%S} UTC)"
        )
        # The status guard keeps a row its own process finished meanwhile.
        updated = CollectorRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.ABANDONED, finished_at=now, error_summary=why
        )
        if updated:
            run.status, run.finished_at, run.error_summary = RunStatus.ABANDONED, now, why
            closed.append(run)
    return closed


def format_duration(seconds: float) -> str:
    """Render a duration the way people read it: 0.4s, 12.3s, 4m05s, 2h03m."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
