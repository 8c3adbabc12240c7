"""The `pinecone` backend: integrated-embedding Pinecone indexes, one namespace per source.

Two indexes hold the same records: a dense one (`PINECONE_INDEX_NAME`, model
`PINECONE_EMBED_MODEL`: meaning) and a sparse one (`PINECONE_SPARSE_INDEX_NAME`, model
`PINECONE_SPARSE_EMBED_MODEL`: exact words, names, identifiers such as `BOOST_ASIO`).
Pinecone embeds each record's `chunk_text` with the index's model at upsert and the
query at search, so no model runs here. Each index is created on demand
(`create_for_model`) when it does not exist. A query asks both and fuses their
rankings by reciprocal rank (`ranking.fuse`), as the postgres backend fuses full-text
and vectors; an empty `PINECONE_SPARSE_INDEX_NAME` keeps to the dense index. Records are the
chunks, `_id` `<doc id>#<ordinal>`, with the document's fields beside the text, so a
document's chunks are listed by the prefix `<doc id>#` (never another document's: the
`#` ends the id). The SDK retries 500-504 itself (five attempts, with backoff); what
it gives up on, and 429, the pipeline retries per batch and then keeps on the retry
list, as for postgres.
`pinecone` is pinned below 9: 8.x speaks the API version 2025-10 whose published spec
the tests' fake follows (9 and later speak newer versions).

The API key is given to the SDK only; messages of its errors carry the status and the
answer's body, never the request's headers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from cppa_pinecone_sync.backends.base import SearchHit, SearchRequest
from cppa_pinecone_sync.chunking import chunk_id
from cppa_pinecone_sync.ranking import fuse
from cppa_pinecone_sync.selectors import IndexEntry
from cppa_pinecone_sync.services import ChunkedDocument, ChunkWrites

TEXT_FIELD = "chunk_text"
# Pinecone's limits: 96 records per upsert of text, 1000 ids per delete, 100 per fetch.
UPSERT_BATCH, DELETE_BATCH, FETCH_BATCH = 96, 1000, 100
_META_PREFIX = "meta_"


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _record_value(value: Any) -> Any:
    """Pinecone metadata holds strings, numbers, booleans and lists of strings only."""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def _records(item: ChunkedDocument) -> list[dict[str, Any]]:
    document = item.document
    shared: dict[str, Any] = {
        "doc_id": document.doc_id,
        "title": document.title,
        "url": document.url,
        "admin_path": document.admin_path,
        "updated_at": document.updated_at.isoformat() if document.updated_at else "",
        "content_hash": document.content_hash,
    }
    shared |= {
        f"{_META_PREFIX}{k}": _record_value(v)
        for k, v in document.metadata.items()
        if v is not None
    }
    return [
        {"_id": chunk_id(document.doc_id, n), TEXT_FIELD: text or document.title, "ordinal": n}
        | shared
        for n, text in enumerate(item.chunks)
    ]


def is_transient(exc: BaseException) -> bool:
    """Worth another attempt: 429, 5xx, and a connection or timeout failure.

    The SDK (5 attempts with backoff of its own on 500-504) gives up with a
    `ServiceException`, or with urllib3's `MaxRetryError` when it cannot connect.
    """
    from pinecone.exceptions import PineconeApiException
    from urllib3.exceptions import HTTPError as TransportError

    if isinstance(exc, PineconeApiException):
        return exc.status == 429 or (exc.status or 0) >= 500
    return isinstance(exc, TransportError | OSError)


class PineconeBackend:
    name = "pinecone"

    def __init__(self) -> None:
        if not settings.PINECONE_API_KEY:
            raise CommandError("search backend 'pinecone' needs PINECONE_API_KEY")

    def is_transient(self, exc: BaseException) -> bool:
        return is_transient(exc)

    def prepare(self, *, source: str, dry_run: bool = False) -> int:
        """Nothing to set up: Pinecone embeds every record itself at upsert."""
        return 0

    @cached_property
    def _client(self) -> Any:
        from pinecone import Pinecone

        return Pinecone(api_key=settings.PINECONE_API_KEY, host=settings.PINECONE_CONTROL_URL)

    @cached_property
    def _indexes(self) -> list[Any]:
        """The data-plane clients of the dense index and, if named, the sparse one."""
        wanted = [(settings.PINECONE_INDEX_NAME, settings.PINECONE_EMBED_MODEL)]
        if settings.PINECONE_SPARSE_INDEX_NAME:
            wanted.append(
                (settings.PINECONE_SPARSE_INDEX_NAME, settings.PINECONE_SPARSE_EMBED_MODEL)
            )
        return [self._open(name, model) for name, model in wanted]

    def _open(self, name: str, model: str) -> Any:
        """One index's data-plane client, the index created first if it does not exist."""
        client = self._client
        if not client.has_index(name):
            client.create_index_for_model(
                name=name,
                cloud=settings.PINECONE_CLOUD,
                region=settings.PINECONE_REGION,
                embed={"model": model, "field_map": {"text": TEXT_FIELD}},
            )
        return client.Index(host=client.describe_index(name).host)

    # --- writes -----------------------------------------------------------------

    def write(self, *, source: str, documents: Sequence[ChunkedDocument]) -> ChunkWrites:
        """Upsert every chunk, then delete the chunk ids past each document's new end.

        Counted once however many indexes hold the records: they hold the same ones.
        """
        records = [record for item in documents for record in _records(item)]
        keep = {item.document.doc_id: len(item.chunks) for item in documents}
        stale_counts = []
        for index in self._indexes:
            for batch in _batches(records, UPSERT_BATCH):
                index.upsert_records(namespace=source, records=list(batch))
            stale = [
                record_id
                for doc_id, count in keep.items()
                for record_id in _list_ids(index, source, prefix=f"{doc_id}#")
                if int(record_id.rsplit("#", 1)[1]) >= count
            ]
            _delete_ids(index, source, stale)
            stale_counts.append(len(stale))
        return ChunkWrites(upserted=len(records), deleted=max(stale_counts))

    def delete(self, *, source: str, doc_ids: Sequence[str]) -> int:
        counts = []
        for index in self._indexes:
            ids = [i for doc_id in doc_ids for i in _list_ids(index, source, prefix=f"{doc_id}#")]
            _delete_ids(index, source, ids)
            counts.append(len(ids))
        return max(counts)

    # --- reconcile ----------------------------------------------------------------

    def inventory(self, *, source: str) -> dict[str, IndexEntry]:
        """Per document: the hash its chunks carry, empty if they disagree, have a gap, or
        the indexes do not hold the same chunks of it (reconcile then rewrites it)."""
        per_index = [_inventory(index, source) for index in self._indexes]
        merged = {}
        for doc_id in set().union(*per_index):
            entries = [held.get(doc_id) for held in per_index]
            entry = entries[0] or next(e for e in entries if e is not None)
            same = all(e == entry for e in entries)
            merged[doc_id] = entry if same else IndexEntry(content_hash="", chunk_count=0)
        return merged

    # --- search -------------------------------------------------------------------

    def search(self, request: SearchRequest) -> list[SearchHit]:
        """Each index's ranking of documents (best chunk each), fused by reciprocal rank."""
        from cppa_pinecone_sync.registry import registered_sources

        sources = list(request.sources) or [s.name for s in registered_sources()]
        query: dict[str, Any] = {"inputs": {"text": request.query}, "top_k": request.limit * 4}
        if request.metadata:
            query["filter"] = {
                f"{_META_PREFIX}{k}": {"$eq": v} for k, v in request.metadata.items()
            }
        rankings: list[dict[tuple[str, str], SearchHit]] = []
        for index in self._indexes:
            found = [
                _hit(source, hit, request.query)
                for source in sources
                for hit in index.search(namespace=source, query=query, fields=["*"]).result.hits
            ]
            best: dict[tuple[str, str], SearchHit] = {}
            for hit in sorted(found, key=lambda h: -h.score):
                best.setdefault((hit.source, hit.doc_id), hit)
            rankings.append(dict(list(best.items())[: request.limit]))
        if len(rankings) == 1:
            return list(rankings[0].values())
        scores = fuse(rankings, limit=request.limit)
        return [
            replace(next(r[key] for r in rankings if key in r), score=score)
            for key, score in scores.items()
        ]


def _delete_ids(index: Any, source: str, ids: Sequence[str]) -> None:
    for batch in _batches(ids, DELETE_BATCH):
        index.delete(ids=list(batch), namespace=source)


def _list_ids(index: Any, source: str, *, prefix: str = "") -> list[str]:
    ids: list[str] = []
    for page in index.list(prefix=prefix, namespace=source):
        ids.extend(page)
    return ids


def _inventory(index: Any, source: str) -> dict[str, IndexEntry]:
    """What one index holds of a source, per document (see `PineconeBackend.inventory`)."""
    by_doc: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for batch in _batches(_list_ids(index, source), FETCH_BATCH):
        answer = index.fetch(ids=list(batch), namespace=source)
        for record_id, vector in answer.vectors.items():
            doc_id, ordinal = record_id.rsplit("#", 1)
            by_doc[doc_id].append((int(ordinal), (vector.metadata or {}).get("content_hash", "")))
    inventory = {}
    for doc_id, chunks in by_doc.items():
        ordinals = sorted(n for n, _ in chunks)
        hashes = {h for _, h in chunks}
        whole = ordinals == list(range(len(chunks))) and len(hashes) == 1
        inventory[doc_id] = IndexEntry(
            content_hash=hashes.pop() if whole else "", chunk_count=len(chunks)
        )
    return inventory


def _hit(source: str, hit: Any, query: str) -> SearchHit:
    fields = dict(hit.fields or {})
    text = str(fields.get(TEXT_FIELD, ""))
    snippet = text[:300]
    updated = fields.get("updated_at") or ""
    return SearchHit(
        source=source,
        doc_id=str(fields.get("doc_id", hit._id.rsplit("#", 1)[0])),
        title=str(fields.get("title", "")),
        url=str(fields.get("url", "")),
        admin_path=str(fields.get("admin_path", "")),
        updated_at=datetime.fromisoformat(updated) if updated else None,
        snippet=snippet,
        highlights=list(_word_spans(snippet, query.split())),
        score=float(hit._score),
        metadata={
            k.removeprefix(_META_PREFIX): v for k, v in fields.items() if k.startswith(_META_PREFIX)
        },
    )


def _word_spans(text: str, words: Iterable[str]) -> Iterator[tuple[int, int]]:
    """Where the query's words occur in a snippet (a dense match has no terms to mark)."""
    lowered = text.lower()
    spans = set()
    for word in {w.strip('"-:').lower() for w in words if len(w.strip('"-:')) > 2}:
        start = lowered.find(word)
        while start != -1:
            spans.add((start, start + len(word)))
            start = lowered.find(word, start + 1)
    yield from sorted(spans)
