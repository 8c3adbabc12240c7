"""Which tasks of a schedule run for a given kind, group and date, and when they run next.

Selection is pure: it takes a validated `Schedule` and a date, so every rule (weekday
names, the last day of short months, interval lengths) is tested without a clock.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from boost_collector_runner.schedule import (
    DAILY,
    INTERVAL,
    MONTHLY,
    ON_RELEASE,
    WEEKDAYS,
    WEEKLY,
    Group,
    Schedule,
    Task,
)


class SelectionError(ValueError):
    """A selection request names something the schedule does not have (e.g. a group)."""


@dataclass(frozen=True)
class Selection:
    """What a run asked for; None fields mean "not given"."""

    kind: str
    group: str | None = None
    day_of_week: str | None = None
    day_of_month: int | None = None
    interval_minutes: int | None = None


def monthly_day_matches(on: int, day: date) -> bool:
    """True when a monthly task set for day `on` runs on `day`.

    A day past the end of a short month (31 in April, 30 in February) runs on that
    month's last day, so a monthly task is never silently skipped.
    """
    last = calendar.monthrange(day.year, day.month)[1]
    return day.day == min(on, last)


def due_in_group_batch(task: Task, day: date) -> bool:
    """True when an enabled non-interval task belongs to its group's batch on `day`.

    on_release tasks always belong; whether they run depends on the release check.
    """
    if not task.enabled or task.schedule == INTERVAL:
        return False
    if task.schedule == WEEKLY:
        return task.on == WEEKDAYS[day.weekday()]
    if task.schedule == MONTHLY:
        return isinstance(task.on, int) and monthly_day_matches(task.on, day)
    return True


def groups_for(schedule: Schedule, group: str | None) -> tuple[Group, ...]:
    """The groups a run covers: all of them, or the one named (an unknown name is an error)."""
    if group is None:
        return schedule.groups
    found = schedule.group(group)
    if found is None:
        known = ", ".join(g.name for g in schedule.groups)
        raise SelectionError(f"unknown group '{group}' in {schedule.path}; groups: {known}")
    return (found,)


def select_tasks(schedule: Schedule, selection: Selection, *, today: date) -> list[Task]:
    """Return the enabled tasks `selection` asks for, in file order.

    Without --day-of-week / --day-of-month, weekly and monthly runs use `today`
    (with the last-day rule for monthly). An explicit --day-of-month N also picks
    the tasks set for later days when N is the last day of the current month.
    """
    tasks = [task for group in groups_for(schedule, selection.group) for task in group.tasks]
    return [task for task in tasks if task.enabled and _matches(task, selection, today)]


def _matches(task: Task, selection: Selection, today: date) -> bool:
    if task.schedule != selection.kind:
        return False
    if task.schedule == WEEKLY:
        return task.on == (selection.day_of_week or WEEKDAYS[today.weekday()])
    if task.schedule == MONTHLY:
        if selection.day_of_month is None:
            return isinstance(task.on, int) and monthly_day_matches(task.on, today)
        last = calendar.monthrange(today.year, today.month)[1]
        wanted = selection.day_of_month
        return task.on == wanted or (wanted == last and isinstance(task.on, int) and task.on > last)
    if task.schedule == INTERVAL:
        return selection.interval_minutes in (None, task.minutes)
    return True


def batch_tasks(group: Group, *, today: date) -> list[Task]:
    """The tasks of `group`'s batch on `today`: what its Beat entry runs."""
    return [task for task in group.tasks if due_in_group_batch(task, today)]


def next_run(task: Task, group: Group, *, now: datetime) -> str:
    """Describe when `task` runs next after `now` (UTC), for --list and check_schedule."""
    if not task.enabled:
        return "disabled"
    if task.schedule == INTERVAL:
        return f"every {task.minutes} min (Beat entry boost-collector-interval-{task.minutes}min)"
    at = time(group.hour, group.minute, tzinfo=now.tzinfo)
    for offset in range(0, 63):
        day = now.date() + timedelta(days=offset)
        moment = datetime.combine(day, at)
        if moment > now and due_in_group_batch(task, day):
            text = f"{moment:%Y-%m-%d %H:%M} UTC"
            if task.schedule == ON_RELEASE:
                return f"{text} if a new release is detected (checked in every group batch)"
            return text
    raise AssertionError(f"no run found in 63 days for {task.command}")  # pragma: no cover


__all__ = ["DAILY", "Selection", "SelectionError", "batch_tasks", "next_run", "select_tasks"]
