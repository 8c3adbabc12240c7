"""Collect WG21 papers: mailings from open-std.org, gaps filled from wg21.link's index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from core.collectors import BaseCollectorCommand
from core.http import HttpOptions, add_http_arguments
from wg21_paper_tracker.collectors import WG21PaperCollector


class Command(BaseCollectorCommand):
    help = (
        "Collect WG21 mailings, papers, revisions and authors from open-std.org, and fill "
        "what the pages miss from wg21.link's index."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="since", metavar="YYYY-MM", help="Only mailings from this month on."
        )
        parser.add_argument(
            "--to", dest="until", metavar="YYYY-MM", help="Only mailings up to this month."
        )
        parser.add_argument(
            "--mailing",
            action="append",
            metavar="YYYY-MM",
            help="Read this mailing (repeatable), stored or not.",
        )
        parser.add_argument(
            "--year",
            action="append",
            metavar="YYYY",
            help="Read every mailing of this year (repeatable).",
        )
        parser.add_argument(
            "--paper",
            action="append",
            metavar="P2300",
            help="Only this paper's revisions (repeatable; P2300, N4950, SD-1).",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Read every selected mailing and the whole index again.",
        )
        parser.add_argument(
            "--download",
            action="store_true",
            help="Download each new revision's file into WORKSPACE_DIR/raw/wg21_paper_tracker/ "
            "and extract its text for search.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Fetch and show what would change; write nothing.",
        )
        parser.add_argument(
            "--format",
            dest="output_format",
            choices=["table", "json"],
            default="table",
            help="The per-mailing report: a table (plain lines when not a terminal) or JSON.",
        )
        add_http_arguments(parser)

    def get_collector(self, **options: Any) -> WG21PaperCollector:
        return WG21PaperCollector(
            stdout=self.stdout,
            style=self.style,
            since=options["since"],
            until=options["until"],
            mailings=options["mailing"],
            years=options["year"],
            papers=options["paper"],
            full=options["full"],
            download=options["download"],
            dry_run=options["dry_run"],
            output_format=options["output_format"],
            http=HttpOptions.from_options(options, source="wg21_paper_tracker"),
        )
