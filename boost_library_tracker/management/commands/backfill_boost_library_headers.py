"""Map the headers of stored Boost releases to their libraries (the header map)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from boost_library_tracker.headers import BoostHeaderCollector
from core.collectors import BaseCollectorCommand
from core.http import HttpOptions, add_http_arguments


class Command(BaseCollectorCommand):
    help = "Read each library's include/ tree at stored releases and store header → library."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Django's own --version (print Django's version) gives way to ours.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--version",
            default="missing",
            help="missing (stored releases without a header map; default), all, or a "
            "stored tag such as boost-1.86.0.",
        )
        add_http_arguments(parser)

    def get_collector(self, **options: Any) -> BoostHeaderCollector:
        return BoostHeaderCollector(
            stdout=self.stdout,
            style=self.style,
            version=options["version"],
            http=HttpOptions.from_options(options, source="boost_library_headers"),
        )
