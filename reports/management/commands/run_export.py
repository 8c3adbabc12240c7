"""Export the collected tables as files (json, jsonl, csv, parquet) with a manifest."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from core.collectors import BaseCollectorCommand
from reports.exports.run import ExportCollector
from reports.exports.writers import FORMATS


class Command(BaseCollectorCommand):
    help = (
        "Export the collected tables, one file per table plus manifest.json, into a new "
        "directory that appears only when complete. Incremental after the first export."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=FORMATS, help="The file format.")
        parser.add_argument(
            "--app",
            action="append",
            metavar="APP",
            help="Export only this app's tables (repeatable). Default: every collector app.",
        )
        parser.add_argument(
            "--since",
            metavar="DATE",
            help="Only rows changed on/after DATE (YYYY-MM-DD or ISO datetime, UTC). Default: "
            "rows changed since the last export of this format.",
        )
        parser.add_argument(
            "--full", action="store_true", help="Export every row, ignoring the last export."
        )
        parser.add_argument(
            "--output",
            metavar="DIR",
            help="Where the export directory is made (default: WORKSPACE_DIR/exports).",
        )

    def get_collector(self, **options: Any) -> ExportCollector:
        return ExportCollector(
            stdout=self.stdout,
            style=self.style,
            fmt=options["format"],
            apps=options["app"],
            since=options["since"],
            output=options["output"],
            full=options["full"],
        )
