"""Bring the search index up to date with the stored documents of the registered sources."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from core.collectors import BaseCollectorCommand
from cppa_pinecone_sync.collectors import SearchSyncCollector
from cppa_pinecone_sync.models import Backend


class Command(BaseCollectorCommand):
    help = "Index the documents of the registered search sources (incrementally by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            action="append",
            metavar="NAME",
            help="A document source to sync (repeatable). Default: every registered source.",
        )
        parser.add_argument(
            "--backend",
            choices=Backend.values,
            help="The index to write to. Default: SEARCH_BACKEND.",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Rebuild: read every document, rewrite it, and drop documents no longer stored.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be written or deleted; change nothing.",
        )
        parser.add_argument(
            "--reconcile",
            action="store_true",
            help="Compare every document with what the index holds and repair the difference.",
        )

    def get_collector(self, **options: Any) -> SearchSyncCollector:
        if options["full"] and options["reconcile"]:
            raise CommandError("--full and --reconcile cannot be combined")
        return SearchSyncCollector(
            stdout=self.stdout,
            style=self.style,
            sources=options["source"],
            backend=options["backend"],
            full=options["full"],
            dry_run=options["dry_run"],
            reconcile=options["reconcile"],
        )
