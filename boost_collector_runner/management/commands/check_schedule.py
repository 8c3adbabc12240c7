"""Validate the YAML schedule and show each group, its tasks and their next run time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from boost_collector_runner.cli import listing_lines, load_checked_schedule


class Command(BaseCommand):
    help = "Check config/boost_collector_schedule.yaml and list its resolved schedule."
    # This command reports every schedule problem itself, one line each; the system
    # check's summary of the same problems would only repeat them first.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--strict", action="store_true", help="Unknown commands are errors, not warnings."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schedule = load_checked_schedule(strict=options["strict"], stderr=self.stderr)
        for line in listing_lines(schedule, schedule.tasks(), now=timezone.now()):
            self.stdout.write(line)
        tasks = schedule.tasks()
        enabled = sum(1 for task in tasks if task.enabled)
        self.stdout.write(
            self.style.SUCCESS(
                f"{schedule.path}: OK, {len(schedule.groups)} groups, {len(tasks)} tasks "
                f"({enabled} enabled)"
            )
        )
