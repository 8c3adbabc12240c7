"""Bring one source's documents into one backend's index: incrementally, exactly, in batches.

- Incremental by ingestion: the source yields what changed in *our* rows since the
  watermark (minus SEARCH_SYNC_OVERLAP_SECONDS for transactions that committed late).
- Exact by hash: a document whose content hash the books already hold costs nothing;
  a changed one has all of its chunks replaced; a tombstone removes the document.
- Failures: a batch is retried with exponential backoff, then its documents go to the
  retry list, which the next run reads first. The watermark only moves past the
  batches before the first failure, so nothing after a failure is skipped for good.
- Reconcile: compare every document of the source with what the index itself holds
  (hash and chunk count per document) and rewrite or delete the difference.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.runs import RunCounters
from cppa_pinecone_sync import selectors, services
from cppa_pinecone_sync.backends import IndexBackend
from cppa_pinecone_sync.chunking import split_text
from cppa_pinecone_sync.documents import Change, Document, DocumentSource, Tombstone
from cppa_pinecone_sync.services import ChunkedDocument

logger = logging.getLogger(__name__)

DOCUMENTS_SEEN = "documents_seen"
DOCUMENTS_WRITTEN = "documents_written"
CHUNKS_UPSERTED = "chunks_upserted"
CHUNKS_DELETED = "chunks_deleted"
DELETED = "deleted"
UNCHANGED = "unchanged"
FAILED = "failed"
REPAIRED = "repaired"
CHUNKS_EMBEDDED = "chunks_embedded"

# Failures worth another attempt: the database or the network refused a batch.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (DatabaseError, OSError)


class IncompleteSync(Exception):
    """Some documents could not be indexed; they are on the retry list."""


@dataclass
class _Batch:
    documents: list[Document] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)

    @property
    def doc_ids(self) -> list[str]:
        return [d.doc_id for d in self.documents] + self.deletions


def _batched(changes: Iterable[Change], size: int) -> Iterator[list[Change]]:
    iterator = iter(changes)
    while batch := list(islice(iterator, size)):
        yield batch


class SourceSync:
    """One sync of one source into one backend; counts into the run's counters."""

    def __init__(
        self,
        *,
        source: DocumentSource,
        backend: IndexBackend,
        counters: RunCounters,
        full: bool = False,
        dry_run: bool = False,
        say: Callable[[str], None] = lambda _line: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source = source
        self.backend = backend
        self.counters = counters
        self.full = full
        self.dry_run = dry_run
        self.say = say
        self.sleep = sleep
        self.retrying = set(selectors.retry_doc_ids(backend=backend.name, source=source.name))
        self.failures: list[BaseException] = []

    # --- the incremental sync -----------------------------------------------------

    def run(self) -> None:
        """Retry list first, then everything changed since the watermark."""
        name, backend = self.source.name, self.backend.name
        self._prepare()
        if self.retrying and not self.full:
            ids = sorted(self.retrying)
            loaded = list(self.source.load(ids))
            found = {change.doc_id for change in loaded}
            now = timezone.now()
            gone = [Tombstone(doc_id=i, changed_at=now) for i in ids if i not in found]
            for batch in _batched([*loaded, *gone], settings.SEARCH_SYNC_BATCH_SIZE):
                self._process(batch)
        since = None if self.full else self._read_from()
        safe: datetime | None = None
        blocked = False
        seen_ids: set[str] = set()
        for batch in _batched(self.source.changed_since(since), settings.SEARCH_SYNC_BATCH_SIZE):
            seen_ids.update(change.doc_id for change in batch)
            if self._process(batch) and not blocked:
                safe = max(change.changed_at for change in batch)
            else:
                blocked = True
        if self.full and not blocked:
            self._delete_unseen(seen_ids)
        if safe is not None and not self.dry_run:
            services.advance_watermark(backend=backend, source=name, watermark=safe)
        self._raise_if_failed()

    def _read_from(self) -> datetime | None:
        mark = selectors.watermark(backend=self.backend.name, source=self.source.name)
        if mark is None:
            return None
        return mark - timedelta(seconds=settings.SEARCH_SYNC_OVERLAP_SECONDS)

    def _delete_unseen(self, seen_ids: set[str]) -> None:
        """After a full read: documents the books hold that the source no longer yields."""
        indexed = selectors.indexed_doc_ids(backend=self.backend.name, source=self.source.name)
        unseen = sorted(indexed - seen_ids)
        for start in range(0, len(unseen), settings.SEARCH_SYNC_BATCH_SIZE):
            self._write(_Batch(deletions=unseen[start : start + settings.SEARCH_SYNC_BATCH_SIZE]))

    # --- reconcile ----------------------------------------------------------------

    def reconcile(self) -> None:
        """Repair the index from the source: missing, damaged, stale and extra documents."""
        self._prepare()
        inventory = self.backend.inventory(source=self.source.name)
        books = selectors.indexed_doc_ids(backend=self.backend.name, source=self.source.name)
        for changes in _batched(self.source.changed_since(None), settings.SEARCH_SYNC_BATCH_SIZE):
            batch = _Batch()
            for change in changes:
                held = inventory.pop(change.doc_id, None)
                books.discard(change.doc_id)
                self.counters.add(DOCUMENTS_SEEN)
                if isinstance(change, Tombstone):
                    if held is not None:
                        batch.deletions.append(change.doc_id)
                elif (
                    held is None
                    or held.content_hash != change.content_hash
                    or held.chunk_count != len(split_text(change.text))
                ):
                    batch.documents.append(change)
                else:
                    self.counters.add(UNCHANGED)
            self._count(REPAIRED, len(batch.doc_ids))
            self._write(batch)
        extra = sorted(set(inventory) | books)
        self._count(REPAIRED, len(extra))
        for start in range(0, len(extra), settings.SEARCH_SYNC_BATCH_SIZE):
            self._write(_Batch(deletions=extra[start : start + settings.SEARCH_SYNC_BATCH_SIZE]))
        self._raise_if_failed()

    def _prepare(self) -> None:
        """The backend's set-up for this source (postgres: vectors still missing)."""
        self._count(CHUNKS_EMBEDDED, self.backend.prepare(source=self.source.name,
                                                          dry_run=self.dry_run))  # fmt: skip

    # --- one batch ----------------------------------------------------------------

    def _process(self, changes: Sequence[Change]) -> bool:
        """Sort a batch into writes, deletions and unchanged documents; write it."""
        self.counters.add(DOCUMENTS_SEEN, len(changes))
        known = selectors.indexed_hashes(
            backend=self.backend.name,
            source=self.source.name,
            doc_ids=[change.doc_id for change in changes],
        )
        batch = _Batch()
        settled = []
        for change in changes:
            if isinstance(change, Tombstone):
                if change.doc_id in known:
                    batch.deletions.append(change.doc_id)
                else:
                    settled.append(change.doc_id)
            elif self.full or known.get(change.doc_id) != change.content_hash:
                batch.documents.append(change)
            else:
                self.counters.add(UNCHANGED)
                settled.append(change.doc_id)
        cleared = [doc_id for doc_id in settled if doc_id in self.retrying]
        if cleared and not self.dry_run:
            services.clear_retries(
                backend=self.backend.name, source=self.source.name, doc_ids=cleared
            )
            self.retrying.difference_update(cleared)
        return self._write(batch)

    def _write(self, batch: _Batch) -> bool:
        """Write a batch and its books in one transaction, retrying transient failures."""
        if not batch.doc_ids:
            return True
        chunked = [ChunkedDocument(d, split_text(d.text)) for d in batch.documents]
        if self.dry_run:
            for item in chunked:
                self.say(f"would write {self.source.name} {item.document.doc_id} "
                         f"({len(item.chunks)} chunks)")  # fmt: skip
            for doc_id in batch.deletions:
                self.say(f"would delete {self.source.name} {doc_id}")
            self._count(DOCUMENTS_WRITTEN, len(chunked))
            self._count(DELETED, len(batch.deletions))
            return True
        attempts = settings.SEARCH_SYNC_MAX_ATTEMPTS
        for attempt in range(1, attempts + 1):
            try:
                self._write_once(batch, chunked)
                return True
            except Exception as exc:
                if not self._is_transient(exc):
                    raise
                logger.warning(
                    "%s: a batch of %d documents failed (attempt %d of %d): %s",
                    self.source.name, len(batch.doc_ids), attempt, attempts, exc,
                )  # fmt: skip
                if attempt == attempts:
                    self._keep_for_retry(batch, attempts, exc)
                    return False
                self.sleep(settings.SEARCH_SYNC_BACKOFF_SECONDS * 2 ** (attempt - 1))
        return False  # pragma: no cover - the loop always returns

    def _is_transient(self, exc: Exception) -> bool:
        """A database or network refusal, or what the backend says is worth retrying."""
        if isinstance(exc, TRANSIENT_ERRORS):
            return True
        backend_says = getattr(self.backend, "is_transient", None)
        return bool(backend_says and backend_says(exc))

    def _write_once(self, batch: _Batch, chunked: list[ChunkedDocument]) -> None:
        name, backend = self.source.name, self.backend.name
        with transaction.atomic():
            writes = self.backend.write(source=name, documents=chunked)
            removed = self.backend.delete(source=name, doc_ids=batch.deletions)
            services.record_indexed(backend=backend, source=name, documents=chunked)
            services.forget_indexed(backend=backend, source=name, doc_ids=batch.deletions)
            retried = [doc_id for doc_id in batch.doc_ids if doc_id in self.retrying]
            services.clear_retries(backend=backend, source=name, doc_ids=retried)
        self.retrying.difference_update(batch.doc_ids)
        self._count(DOCUMENTS_WRITTEN, len(chunked))
        self._count(CHUNKS_UPSERTED, writes.upserted)
        self._count(CHUNKS_DELETED, writes.deleted + removed)
        self._count(CHUNKS_EMBEDDED, writes.embedded)
        self._count(DELETED, len(batch.deletions))

    def _count(self, name: str, amount: int) -> None:
        """Only counters that happened: the summary line stays short."""
        if amount:
            self.counters.add(name, amount)

    def _keep_for_retry(self, batch: _Batch, attempts: int, exc: Exception) -> None:
        services.keep_for_retry(
            backend=self.backend.name,
            source=self.source.name,
            doc_ids=batch.doc_ids,
            attempts=attempts,
            error=exc,
        )
        self.retrying.update(batch.doc_ids)
        self.counters.add(FAILED, len(batch.doc_ids))
        self.failures.append(exc)

    def _raise_if_failed(self) -> None:
        if self.failures:
            failed = self.counters.get(FAILED)
            raise IncompleteSync(
                f"{self.source.name}: {failed} documents could not be indexed and are on the "
                "retry list for the next run"
            ) from self.failures[-1]
