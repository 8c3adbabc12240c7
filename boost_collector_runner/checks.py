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

from boost_collector_runner.schedule import Schedule, ScheduleError, load_schedule

SCHEDULE_TAG = "schedule"
COLLECTOR_PREFIX = "run_"


def unknown_commands(schedule: Schedule, known: set[str]) -> list[str]:
    """Return one located message per task whose command is not a management command."""
    collectors = sorted(name for name in known if name.startswith(COLLECTOR_PREFIX))
    return [
        f"{schedule.path}:{task.line}: group '{task.group}', task {task.position} "
        f"({task.command}): unknown command '{task.command}'{_closest(task.command, collectors)}"
        for task in schedule.tasks()
        if task.command not in known
    ]


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
    suffix = "" if strict else " (the task will fail when it runs)"
    return [
        level(problem + suffix, id=f"{code}2")
        for problem in unknown_commands(schedule, set(get_commands()))
    ]
