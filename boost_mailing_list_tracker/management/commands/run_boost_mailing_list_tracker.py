"""Collect the Boost mailing lists (HyperKitty REST API) or import an mbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from boost_mailing_list_tracker.collectors import MailingListCollector
from core.collectors import BaseCollectorCommand
from core.http import HttpOptions, add_http_arguments


class Command(BaseCollectorCommand):
    help = "Collect every message of the Boost mailing lists, or import an mbox archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--list",
            action="append",
            metavar="NAME",
            help="A list to collect (repeatable): boost, boost-users, boost-announce or its "
            "address. Default: MAILING_LIST_NAMES. With --mbox: the list to import into "
            "(default: each message's List-Id).",
        )
        parser.add_argument("--since", metavar="DATE", help="Read from DATE (YYYY-MM-DD, UTC).")
        parser.add_argument("--until", metavar="DATE", help="Read up to DATE (YYYY-MM-DD, UTC).")
        parser.add_argument(
            "--full", action="store_true", help="Ignore the checkpoints and re-read every list."
        )
        parser.add_argument(
            "--mbox",
            action="append",
            metavar="PATH|URL",
            help="Import a mailbox (mbox, MMDF, gzip; a file or an http(s) URL) instead of "
            "reading HyperKitty (repeatable).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Read and count; write nothing.")
        add_http_arguments(parser)

    def get_collector(self, **options: Any) -> MailingListCollector:
        return MailingListCollector(
            stdout=self.stdout,
            style=self.style,
            lists=options["list"],
            since=options["since"],
            until=options["until"],
            full=options["full"],
            mbox=options["mbox"],
            dry_run=options["dry_run"],
            http=HttpOptions.from_options(options, source="boost_mailing_list_tracker"),
        )
