"""Write the monthly report (HTML, Markdown or PDF) from the collected data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from core.collectors import BaseCollectorCommand
from reports.monthly import MonthlyReportCollector
from reports.render import FORMATS


class Command(BaseCollectorCommand):
    help = "Write the month's report: activity per library, contributors, releases, charts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--month", metavar="YYYY-MM", help="The month to report (default: the previous one)."
        )
        parser.add_argument(
            "--format", default="html", choices=FORMATS, help="html (default), pdf or md."
        )
        parser.add_argument(
            "--output",
            metavar="PATH",
            help="The report file, or a directory for it (default: "
            "WORKSPACE_DIR/reports/YYYY-MM/boost-report-YYYY-MM.<format>).",
        )

    def get_collector(self, **options: Any) -> MonthlyReportCollector:
        return MonthlyReportCollector(
            stdout=self.stdout,
            style=self.style,
            month=options["month"],
            fmt=options["format"],
            output=options["output"],
        )
