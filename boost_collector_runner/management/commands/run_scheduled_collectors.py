"""Run the collectors the YAML schedule selects, one after another."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from boost_collector_runner.cli import listing_lines, load_checked_schedule
from boost_collector_runner.schedule import (
    DAILY,
    INTERVAL,
    MAX_INTERVAL_MINUTES,
    MONTHLY,
    ON_RELEASE,
    SCHEDULE_KINDS,
    WEEKLY,
    Schedule,
    Task,
    parse_weekday,
)
from boost_collector_runner.scheduled import BATCH, Request, resolve, run_scheduled
from boost_collector_runner.selection import Selection, SelectionError, groups_for
from core.collectors.reporting import ReportingCommand


def _bounded_int(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number {low}-{high}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low}-{high}, got {value}")
        return value

    return parse


def _weekday(text: str) -> str:
    day = parse_weekday(text)
    if day is None:
        raise argparse.ArgumentTypeError("must be a weekday: monday..sunday or mon..sun")
    return day


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a date YYYY-MM-DD") from None


class Command(ReportingCommand):
    help = (
        "Run the tasks of config/boost_collector_schedule.yaml for a schedule kind "
        "(--schedule) or a group's batch (--batch --group G, what Celery Beat runs)."
    )
    # This command reports every schedule problem itself, one line each; the system
    # check's summary of the same problems would only repeat them first.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--schedule",
            choices=SCHEDULE_KINDS,
            help="Run the tasks of this kind; daily also runs each group's on_release tasks "
            "when a new release is detected.",
        )
        mode.add_argument(
            "--batch",
            action="store_true",
            help="Run a group's batch as Beat does: its daily tasks, weekly/monthly tasks due "
            "today, and on_release tasks when a new release is detected.",
        )
        parser.add_argument("--group", help="Only this group (an unknown group is an error).")
        parser.add_argument("--day-of-week", type=_weekday, help="weekly: monday or mon, ...")
        parser.add_argument("--day-of-month", type=_bounded_int(1, 31), help="monthly: 1-31.")
        parser.add_argument(
            "--interval-minutes",
            type=_bounded_int(1, MAX_INTERVAL_MINUTES),
            help=f"interval: run the tasks with this many minutes (1-{MAX_INTERVAL_MINUTES}).",
        )
        parser.add_argument(
            "--date", type=_iso_date, help="Resolve for this UTC date instead of today."
        )
        parser.add_argument(
            "--stop-on-failure", action="store_true", help="Stop after the first failing task."
        )
        parser.add_argument(
            "--strict", action="store_true", help="Unknown commands in the YAML are errors."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run the on_release tasks even without a new release.",
        )
        parser.add_argument(
            "--list",
            "--dry-run",
            action="store_true",
            dest="list",
            help="Print the resolved tasks and the next run time of each; run nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schedule = load_checked_schedule(strict=options["strict"], stderr=self.stderr)
        kind = BATCH if options["batch"] else options["schedule"]
        if kind is None and not options["list"]:
            raise CommandError("give --schedule KIND, --batch or --list")
        self._check_flags(kind, options)
        now = timezone.now()
        today = options["date"] or now.date()
        request = Request(
            selection=Selection(
                kind=kind or "",
                group=options["group"],
                day_of_week=options["day_of_week"],
                day_of_month=options["day_of_month"],
                interval_minutes=options["interval_minutes"],
            ),
            stop_on_failure=options["stop_on_failure"],
            force=options["force"],
        )
        try:
            if kind is None:
                tasks = [t for g in groups_for(schedule, options["group"]) for t in g.tasks]
            else:
                tasks = resolve(schedule, request, today=today)
        except SelectionError as exc:
            raise CommandError(str(exc)) from None
        if options["list"]:
            self._list(schedule, tasks, now, today)
            return
        result = run_scheduled(
            schedule=schedule, request=request, today=today, stdout=self.stdout, stderr=self.stderr
        )
        if result.exit_code:
            # Already printed once as the summary line: exit with its code, say no more.
            raise self.reported(CommandError(result.summary, returncode=result.exit_code))

    def _list(self, schedule: Schedule, tasks: list[Task], now: datetime, today: date) -> None:
        if today != now.date():  # --date: next runs as seen from that day's start
            now = datetime.combine(today, time.min, tzinfo=UTC)
        for line in listing_lines(schedule, tasks, now=now):
            self.stdout.write(line)

    def _check_flags(self, kind: str | None, options: dict[str, Any]) -> None:
        """Refuse flags that do not apply to the chosen kind, naming the flag."""
        rules = {
            "day_of_week": (WEEKLY, "--day-of-week"),
            "day_of_month": (MONTHLY, "--day-of-month"),
            "interval_minutes": (INTERVAL, "--interval-minutes"),
        }
        for key, (wanted, flag) in rules.items():
            if options[key] is not None and kind != wanted:
                raise CommandError(f"{flag} applies only to --schedule {wanted}")
        if options["force"] and kind not in (DAILY, ON_RELEASE, BATCH):
            raise CommandError(
                "--force applies only to --schedule daily, --schedule on_release and --batch"
            )
