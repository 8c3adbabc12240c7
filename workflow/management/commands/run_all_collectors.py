"""Run every command of the fixed list WORKFLOW_COLLECTORS, in order."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from boost_collector_runner.runner import BatchSpec, PlannedTask, run_batch
from core.collectors.reporting import ReportingCommand

COMMAND = "run_all_collectors"


class Command(ReportingCommand):
    help = "Run the collectors of WORKFLOW_COLLECTORS one after another."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stop-on-failure", action="store_true", help="Stop after the first failing command."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        commands = list(settings.WORKFLOW_COLLECTORS)
        if not commands:
            raise CommandError("WORKFLOW_COLLECTORS is empty; list the commands to run in .env")
        result = run_batch(
            spec=BatchSpec(command=COMMAND, label="workflow", lock_name="batch:workflow"),
            tasks=[PlannedTask(command=name) for name in commands],
            stop_on_failure=options["stop_on_failure"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        if result.exit_code:
            # Already printed once as the summary line: exit with its code, say no more.
            raise self.reported(CommandError(result.summary, returncode=result.exit_code))
