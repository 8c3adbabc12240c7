"""What the scheduler's commands share: loading the schedule for a command, and listing it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import CommandError, OutputWrapper

from boost_collector_runner.checks import unknown_commands
from boost_collector_runner.schedule import Schedule, ScheduleError, Task, load_schedule
from boost_collector_runner.selection import next_run

logger = logging.getLogger(__name__)


def load_checked_schedule(*, strict: bool, stderr: OutputWrapper) -> Schedule:
    """Load the configured schedule; every problem becomes one line of a CommandError.

    Unknown commands are errors when `strict` (or BOOST_COLLECTOR_SCHEDULE_STRICT),
    warnings otherwise: a development checkout may lack a collector app.
    """
    strict = strict or settings.BOOST_COLLECTOR_SCHEDULE_STRICT
    try:
        schedule = load_schedule(settings.BOOST_COLLECTOR_SCHEDULE_YAML, base_dir=settings.BASE_DIR)
    except ScheduleError as exc:
        raise CommandError("\n".join(exc.errors)) from None
    problems = unknown_commands(schedule, set(get_commands()))
    if problems and strict:
        raise CommandError("\n".join(problems))
    for problem in problems:
        logger.warning("%s (the task will fail when it runs)", problem)
        stderr.write(f"warning: {problem}")
    return schedule


def listing_lines(schedule: Schedule, tasks: Sequence[Task], *, now: datetime) -> list[str]:
    """Describe `tasks` grouped by group, each with its schedule and next run time."""
    lines: list[str] = []
    for group in schedule.groups:
        mine = [task for task in tasks if task.group == group.name]
        if not mine:
            continue
        lines.append(f"group '{group.name}' at {group.default_time} UTC:")
        for task in mine:
            when = task.schedule
            if task.on is not None:
                when += f" on {task.on}"
            if task.minutes is not None:
                when += f" every {task.minutes} min"
            args = f" {' '.join(task.args)}" if task.args else ""
            lines.append(
                f"  {task.position}. {task.command}{args} [{when}] next: "
                f"{next_run(task, group, now=now)}"
            )
    return lines or ["no tasks match"]
