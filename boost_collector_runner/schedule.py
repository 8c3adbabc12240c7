"""The collector schedule (`config/boost_collector_schedule.yaml`) as plain data.

`load_schedule` reads and validates the file (the YAML checks live in
`schedule_checks`) and returns a `Schedule` of groups and tasks; everything else in
the runner works on those objects.

This module imports nothing from Django's app registry: settings import it to build
the Celery Beat schedule before the apps are loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"
INTERVAL = "interval"
ON_RELEASE = "on_release"
SCHEDULE_KINDS = (DAILY, WEEKLY, MONTHLY, INTERVAL, ON_RELEASE)

# Every manage.py command reads the file (settings build Beat's entries from it), so
# its size is bounded: a large schedule is a few KiB, and one at this bound takes
# well under a second to check.
MAX_SCHEDULE_BYTES = 256 * 1024

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_INTERVAL_MINUTES = 180


class ScheduleError(Exception):
    """The schedule file is missing or invalid; `errors` holds one line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if len(errors) == 1 else f"{len(errors)} schedule errors")
        self.errors = errors

    def one_line(self) -> str:
        """All problems in one line, for places that can show only one (settings import)."""
        if len(self.errors) == 1:
            return self.errors[0]
        return (
            f"{self.errors[0]} (and {len(self.errors) - 1} more; "
            "run `python manage.py check_schedule` to see all)"
        )


@dataclass(frozen=True)
class Task:
    """One scheduled command; `position` is its 1-based place in its group's list."""

    group: str
    position: int
    command: str
    schedule: str
    line: int
    on: str | int | None = None
    minutes: int | None = None
    enabled: bool = True
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """A named set of tasks that run together at `default_time` (UTC)."""

    name: str
    hour: int
    minute: int
    line: int
    tasks: tuple[Task, ...] = ()

    @property
    def default_time(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True)
class Schedule:
    """A validated schedule file: its groups in file order."""

    path: str
    groups: tuple[Group, ...] = ()

    def group(self, name: str) -> Group | None:
        return next((group for group in self.groups if group.name == name), None)

    def tasks(self) -> list[Task]:
        """Every task, enabled or not, in file order (group order, then task order)."""
        return [task for group in self.groups for task in group.tasks]


def display_path(path: str | Path, base_dir: Path | None = None) -> str:
    """Show `path` relative to the project when it lies inside it, as operators type it."""
    resolved = Path(path)
    if base_dir is not None:
        try:
            return str(resolved.resolve().relative_to(base_dir.resolve()))
        except ValueError:
            pass
    return str(path)


def load_schedule(path: str | Path, *, base_dir: Path | None = None) -> Schedule:
    """Parse and validate the schedule file, raising ScheduleError with every problem."""
    shown = display_path(path, base_dir)
    try:
        with Path(path).open("rb") as stream:
            data = stream.read(MAX_SCHEDULE_BYTES + 1)
    except FileNotFoundError:
        raise ScheduleError(
            [
                f"{shown}: schedule file not found; create it (see "
                "config/boost_collector_schedule.yaml.example) or set BOOST_COLLECTOR_SCHEDULE_YAML"
            ]
        ) from None
    except OSError as exc:
        raise ScheduleError([f"{shown}: cannot read the schedule file: {exc}"]) from None
    if len(data) > MAX_SCHEDULE_BYTES:
        raise ScheduleError([too_large(shown)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScheduleError([f"{shown}: cannot read the schedule file: {exc}"]) from None
    return parse_schedule(text, path=shown)


def too_large(path: str) -> str:
    return (
        f"{path}: the schedule file is larger than {MAX_SCHEDULE_BYTES // 1024} KiB; "
        "a schedule needs a few KiB"
    )


def parse_schedule(text: str, *, path: str) -> Schedule:
    """Validate schedule `text` (shown as `path` in errors) and return the Schedule."""
    # The checker builds this module's classes, so it is imported here, not at the top.
    from boost_collector_runner.schedule_checks import check_schedule_text

    return check_schedule_text(text, path=path)


def parse_weekday(text: str) -> str | None:
    """Return the full weekday name for 'monday', 'Mon', ...; None when it is not one."""
    lowered = text.strip().lower()
    for day in WEEKDAYS:
        if lowered in (day, day[:3]):
            return day
    return None
