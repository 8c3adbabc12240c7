"""After a Boost release: re-collect its catalogue, summarise it, refresh search."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from core.collectors import BaseCollectorCommand
from reports.release_sync import ReleaseSyncCollector


class Command(BaseCollectorCommand):
    help = (
        "Re-collect a Boost release's catalogue, write its release summary (new and updated "
        "libraries, contributors since the previous release) and refresh the search index."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any):
        # Django's own --version (print Django's version) gives way to ours.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--version",
            metavar="boost-X.Y.Z",
            help="The release (default: the newest detected, else the newest catalogued).",
        )
        parser.add_argument(
            "--no-recollect",
            action="store_true",
            help="Summarise from the stored catalogue without collecting it again.",
        )

    def get_collector(self, **options: Any) -> ReleaseSyncCollector:
        return ReleaseSyncCollector(
            stdout=self.stdout,
            style=self.style,
            version=options["version"],
            recollect=not options["no_recollect"],
        )
