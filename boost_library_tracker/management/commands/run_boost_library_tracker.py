"""Collect the Boost catalogue: releases, libraries and what each library said per release."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from boost_library_tracker.collectors import BoostLibraryCollector
from core.collectors import BaseCollectorCommand
from core.http import HttpOptions, add_http_arguments


class Command(BaseCollectorCommand):
    help = "Collect the Boost catalogue (libraries.json of every library) for Boost releases."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Django's own --version (print Django's version) gives way to ours.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--version",
            default="new",
            help="all, new (releases newer than the newest stored; default) or a tag "
            "such as boost-1.86.0.",
        )
        add_http_arguments(parser)

    def get_collector(self, **options: Any) -> BoostLibraryCollector:
        return BoostLibraryCollector(
            stdout=self.stdout,
            style=self.style,
            version=options["version"],
            http=HttpOptions.from_options(options, source="boost_library_tracker"),
        )
