"""Build Celery Beat's schedule from the YAML schedule.

One crontab entry per group at its `default_time` (UTC) runs the group's batch, so
groups run in parallel on different workers; one entry per interval length runs
every interval task of that length. on_release tasks get no entry: the group batch
checks for releases.

Settings call `beat_schedule_for_settings` at import time, before Django's apps are
loaded, so nothing here touches the app registry or the database.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab, schedule

from boost_collector_runner.schedule import INTERVAL, Schedule, ScheduleError, load_schedule
from config.env import SettingsError

TASK_NAME = "boost_collector_runner.tasks.run_scheduled_collectors_task"
GROUP_BATCH_KIND = "batch"


def group_entry_name(group: str, hour: int, minute: int) -> str:
    return f"boost-collector-group-{group}-{hour:02d}-{minute:02d}"


def interval_entry_name(minutes: int) -> str:
    return f"boost-collector-interval-{minutes}min"


def get_beat_schedule(parsed: Schedule) -> dict[str, dict[str, Any]]:
    """Return `CELERY_BEAT_SCHEDULE` entries for a validated schedule."""
    entries: dict[str, dict[str, Any]] = {}
    for group in parsed.groups:
        enabled = [task for task in group.tasks if task.enabled]
        if any(task.schedule != INTERVAL for task in enabled):
            entries[group_entry_name(group.name, group.hour, group.minute)] = {
                "task": TASK_NAME,
                "schedule": crontab(hour=str(group.hour), minute=str(group.minute)),
                "kwargs": {"schedule_kind": GROUP_BATCH_KIND, "group_id": group.name},
            }
    lengths = sorted(
        {t.minutes for t in parsed.tasks() if t.enabled and t.schedule == INTERVAL and t.minutes}
    )
    for minutes in lengths:
        entries[interval_entry_name(minutes)] = {
            "task": TASK_NAME,
            "schedule": schedule(run_every=timedelta(minutes=minutes)),
            "kwargs": {"schedule_kind": INTERVAL, "interval_minutes": minutes},
        }
    return entries


def describe(parsed: Schedule, entries: dict[str, dict[str, Any]]) -> str:
    """One line for the start-up log: groups, enabled tasks and Beat entry names."""
    enabled = sum(1 for task in parsed.tasks() if task.enabled)
    groups = ", ".join(group.name for group in parsed.groups)
    names = ", ".join(entries) or "none"
    return (
        f"schedule {parsed.path}: {len(parsed.groups)} groups ({groups}), "
        f"{enabled} enabled tasks; Beat entries: {names}"
    )


def beat_schedule_for_settings(
    path: str, *, strict: bool, base_dir: Path
) -> dict[str, dict[str, Any]]:
    """Load the schedule for settings: fail (strict) or return {} when it is invalid.

    Strict mode raises SettingsError so a production Beat never starts with an
    empty schedule; the error is one line, as manage.py prints it. Non-strict mode
    stays quiet here (every manage.py command imports settings); the problem is one
    system-check warning (`boost_collector_runner.checks`), is logged when a worker
    or Beat starts (`config.celery`), and `check_schedule` lists it in full.
    """
    try:
        parsed = load_schedule(path, base_dir=base_dir)
    except ScheduleError as exc:
        if strict:
            raise SettingsError(exc.one_line()) from None
        return {}
    return get_beat_schedule(parsed)
