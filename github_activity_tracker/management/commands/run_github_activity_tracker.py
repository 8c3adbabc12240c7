"""Collect GitHub activity (commits, issues, pull requests, reviews, comments, releases)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from core.collectors import BaseCollectorCommand
from core.http import HttpOptions, add_http_arguments
from github_activity_tracker.collectors import GitHubActivityCollector


class Command(BaseCollectorCommand):
    help = "Collect commits, issues, pull requests, reviews, comments and releases of repositories."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repo",
            action="append",
            metavar="OWNER/NAME",
            help="A repository to collect (repeatable). Default: GITHUB_ACTIVITY_REPOS, else "
            "the catalogue's library repositories plus boostorg/boost.",
        )
        parser.add_argument("--since", metavar="DATE", help="Read from DATE (YYYY-MM-DD, UTC).")
        parser.add_argument("--until", metavar="DATE", help="Read up to DATE (YYYY-MM-DD, UTC).")
        parser.add_argument(
            "--full", action="store_true", help="Ignore the checkpoints and re-read everything."
        )
        parser.add_argument(
            "--plan",
            action="store_true",
            help="Print what a run would cost (requests and GraphQL points per bucket, hours "
            "at the current budget) and exit without collecting.",
        )
        add_http_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("plan"):
            self.get_collector(**options).plan()
            return
        super().handle(*args, **options)

    def get_collector(self, **options: Any) -> GitHubActivityCollector:
        return GitHubActivityCollector(
            stdout=self.stdout,
            style=self.style,
            repos=options["repo"],
            since=options["since"],
            until=options["until"],
            full=options["full"],
            http=HttpOptions.from_options(options, source="github_activity_tracker"),
        )
