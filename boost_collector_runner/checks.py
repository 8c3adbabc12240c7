"""The schedule as a Django system check, and the check that its commands exist.

Settings can only tell whether the file is valid (the app registry is not loaded when
they build Beat's entries); whether each task names a management command is known
once apps are loaded, which is what system checks are for. So `manage.py check`,
`migrate` (which the Compose stack runs before any other service) and every command
that runs system checks report the schedule: as an error in strict mode, as one
warning line otherwise, instead of "no issues".
"""

from __future__ import annotations

import difflib
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.management import get_commands

from boost_collector_runner.schedule import Schedule, ScheduleError, Task, load_schedule

SCHEDULE_TAG = "schedule"
COLLECTOR_PREFIX = "run_"
# Every command that runs system checks prints them: a schedule of many bad tasks
# must not bury its output.
MAX_LISTED = 5


def unknown_commands(schedule: Schedule, known: set[str]) -> list[str]:
    """Return one located message per task whose command is not a management command."""
    return [
        unknown_command(schedule, task, known)
        for task in schedule.tasks()
        if task.command not in known
    ]


def unknown_command(schedule: Schedule, task: Task, known: set[str]) -> str:
    collectors = sorted(name for name in known if name.startswith(COLLECTOR_PREFIX))
    return (
        f"{schedule.path}:{task.line}: group '{task.group}', task {task.position} "
        f"({task.command}): unknown command '{task.command}'{_closest(task.command, collectors)}"
    )


def _closest(command: str, collectors: list[str]) -> str:
    """Name the likely intended run_* commands, not the 40 commands Django has."""
    close = difflib.get_close_matches(command, collectors, n=3, cutoff=0.6)
    if close:
        return f"; did you mean {_either(close)}?"
    nearest = difflib.get_close_matches(command, collectors, n=3, cutoff=0.0)
    if nearest:
        return f"; the closest run_* commands are {', '.join(nearest)}"
    return "; no run_* collector command is installed"


def _either(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


@checks.register(SCHEDULE_TAG)
def check_schedule_file(app_configs: Any = None, **_kwargs: Any) -> list[checks.CheckMessage]:
    """The schedule's problems: errors in strict mode, warnings otherwise."""
    if app_configs is not None and not any(
        config.name == "boost_collector_runner" for config in app_configs
    ):
        return []
    strict = settings.BOOST_COLLECTOR_SCHEDULE_STRICT
    level = checks.Error if strict else checks.Warning
    code = "boost_collector_runner.E00" if strict else "boost_collector_runner.W00"
    try:
        schedule = load_schedule(settings.BOOST_COLLECTOR_SCHEDULE_YAML, base_dir=settings.BASE_DIR)
    except ScheduleError as exc:
        message = f"{exc.one_line()}; Celery Beat has no schedule entries"
        return [level(message, id=f"{code}1")]
    known = set(get_commands())
    unknown = [task for task in schedule.tasks() if task.command not in known]
    shown = unknown if len(unknown) <= MAX_LISTED else unknown[: MAX_LISTED - 1]
    suffix = "" if strict else " (the task will fail when it runs)"
    problems = [unknown_command(schedule, task, known) + suffix for task in shown]
    if len(shown) < len(unknown):
        problems.append(
            f"{schedule.path}: and {len(unknown) - len(shown)} more tasks with unknown "
            "commands; run `python manage.py check_schedule` to see all"
        )
    return [level(problem, id=f"{code}2") for problem in problems]
