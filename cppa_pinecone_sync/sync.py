"""The entry point a collector's `sync_pinecone()` and `run_cppa_pinecone_sync` share."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings

from core.runs import RunCounters
from cppa_pinecone_sync.backends import get_backend
from cppa_pinecone_sync.pipeline import IncompleteSync, SourceSync
from cppa_pinecone_sync.registry import select_sources


def sync_within_run(*, names: Iterable[str], counters: RunCounters) -> None:
    """Sync the named sources inside a collector's own run (its `sync_pinecone` phase).

    The sync's counters join the run's as `search_<name>` (`search_documents_seen`,
    ...), even when the sync fails: one ledger row, no nested run.
    """
    synced = RunCounters()
    try:
        sync_sources(names=names, counters=synced)
    finally:
        for name, value in synced.as_dict().items():
            counters.add(f"search_{name}", value)


def sync_sources(
    *,
    names: Iterable[str] | None = None,
    counters: RunCounters,
    backend_name: str | None = None,
    full: bool = False,
    dry_run: bool = False,
    reconcile: bool = False,
    say: Callable[[str], None] = lambda _line: None,
) -> None:
    """Sync (or reconcile) each named source (all registered ones by default).

    Every source is tried even when one fails; then the first failure is raised, so
    the run is recorded as failed with the documents that did not make it on the
    retry list.
    """
    sources = select_sources(names)
    backend = get_backend(backend_name or settings.SEARCH_BACKEND)
    failures: list[IncompleteSync] = []
    for source in sources:
        own = RunCounters()
        sync = SourceSync(
            source=source, backend=backend, counters=own, full=full, dry_run=dry_run, say=say
        )
        try:
            sync.reconcile() if reconcile else sync.run()
        except IncompleteSync as exc:
            failures.append(exc)
        finally:
            for name, value in own.as_dict().items():
                counters.add(name, value)
            say(f"{source.name} ({backend.name}): {own.summary() or 'nothing to do'}")
    if failures:
        raise failures[0]
