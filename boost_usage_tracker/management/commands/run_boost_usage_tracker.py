"""Find public repositories that use Boost libraries, within GitHub's search limits."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from boost_usage_tracker.collectors import ALL, TASKS, BoostUsageCollector
from core.collectors import BaseCollectorCommand
from core.http import HttpOptions, add_http_arguments


class Command(BaseCollectorCommand):
    help = "Search GitHub code for Boost includes; refresh the repositories found."
    # Tests hand the collector a fake clock (call_command(..., clock=...)); no flag.
    stealth_options = ("clock",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--task",
            default=ALL,
            choices=TASKS,
            help="search (find new usages; weekly), refresh (re-read known repositories; "
            "monthly) or all (both; default).",
        )
        parser.add_argument(
            "--library",
            action="append",
            default=[],
            metavar="KEY",
            help="Search only for this library's headers (a catalogue key: asio, "
            "numeric/conversion); repeat for several.",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=0,
            metavar="N",
            help="Stop after N requests to GitHub, at a checkpoint (0: no bound; default).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what the run would ask for; send nothing, store nothing.",
        )
        add_http_arguments(parser)

    def get_collector(self, **options: Any) -> BoostUsageCollector:
        return BoostUsageCollector(
            stdout=self.stdout,
            style=self.style,
            task=options["task"],
            libraries=options["library"],
            max_requests=options["max_requests"],
            dry_run=options["dry_run"],
            http=HttpOptions.from_options(options, source="boost_usage_tracker"),
            clock=options.get("clock"),
        )
