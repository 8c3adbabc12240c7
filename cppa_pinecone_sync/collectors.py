"""`SearchSyncCollector`: the search sync run as a collector, so each sync is a ledger row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

from core.collectors import AbstractCollector
from cppa_pinecone_sync.backends import get_backend
from cppa_pinecone_sync.registry import select_sources
from cppa_pinecone_sync.sync import sync_sources

NAME = "cppa_pinecone_sync"


class SearchSyncCollector(AbstractCollector):
    def __init__(
        self,
        *,
        stdout: Any = None,
        style: Any = None,
        sources: Sequence[str] | None = None,
        backend: str | None = None,
        full: bool = False,
        dry_run: bool = False,
        reconcile: bool = False,
    ) -> None:
        super().__init__(stdout=stdout, style=style)
        self.sources = list(sources or [])
        self.backend = backend or settings.SEARCH_BACKEND
        self.full = full
        self.dry_run = dry_run
        self.reconcile = reconcile

    @property
    def name(self) -> str:
        return NAME

    def validate_config(self) -> None:
        select_sources(self.sources)
        get_backend(self.backend)

    def collect(self) -> None:
        sync_sources(
            names=self.sources,
            counters=self.counters,
            backend_name=self.backend,
            full=self.full,
            dry_run=self.dry_run,
            reconcile=self.reconcile,
            say=self.write,
        )
