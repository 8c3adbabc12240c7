"""The `postgres` backend: chunks in a table of this database, full-text search on it.

Ranking is `ts_rank_cd` (cover density: matches close together rank higher) over a
`websearch_to_tsquery` query, which accepts anything a person types (quotes, `-`,
`or`, stray `:`) without a syntax error. Snippets are `ts_headline` of the best chunk
of each document, with matches marked by control characters that the callers turn
into highlights, so no markup from the text itself is ever trusted.

With `SEARCH_EMBEDDER` set, each chunk also has a dense vector (pgvector, HNSW index)
and a query is ranked by both lists, fused by reciprocal rank (`ranking.fuse`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,  # pyright: ignore[reportAttributeAccessIssue]
    SearchQuery,
    SearchRank,
)
from django.db.models import F, Func, Value

from cppa_pinecone_sync import selectors, services
from cppa_pinecone_sync.backends.base import SearchHit, SearchRequest
from cppa_pinecone_sync.embedders import configured_embedder
from cppa_pinecone_sync.models import SEARCH_CONFIG, SearchChunk
from cppa_pinecone_sync.ranking import fuse
from cppa_pinecone_sync.selectors import IndexEntry
from cppa_pinecone_sync.services import ChunkedDocument, ChunkWrites

START, STOP = "\x02", "\x03"
# ts_headline's parser takes `<...>` for an HTML tag and drops it (`vector<int>`, `a<b`):
# the brackets go in as two control characters and come back out in `_unmark`.
_ANGLES, _STAND_INS = "<>", "\x0e\x0f"
# Chunks read per wanted document before keeping the best one of each.
_CHUNKS_PER_HIT = 4


class PostgresBackend:
    name = "postgres"

    def __init__(self) -> None:
        self.embedder = configured_embedder()

    def prepare(self, *, source: str, dry_run: bool = False) -> int:
        """Before a sync: with an embedder, the vector column, then vectors still missing."""
        if self.embedder is None or dry_run:
            return 0
        services.prepare_embeddings(embedder=self.embedder)
        return services.embed_missing(source=source, embedder=self.embedder)

    def write(self, *, source: str, documents: Sequence[ChunkedDocument]) -> ChunkWrites:
        writes = services.replace_chunks(source=source, documents=documents)
        if self.embedder is None:
            return writes
        embedded = services.embed_documents(
            source=source,
            doc_ids=[item.document.doc_id for item in documents],
            embedder=self.embedder,
        )
        return ChunkWrites(upserted=writes.upserted, deleted=writes.deleted, embedded=embedded)

    def delete(self, *, source: str, doc_ids: Sequence[str]) -> int:
        return services.delete_chunks(source=source, doc_ids=doc_ids)

    def inventory(self, *, source: str) -> dict[str, IndexEntry]:
        return selectors.chunk_inventory(source=source)

    def search(self, request: SearchRequest) -> list[SearchHit]:
        query = SearchQuery(request.query, search_type="websearch", config=SEARCH_CONFIG)
        chunks = SearchChunk.objects.filter(search_vector=query)
        if request.sources:
            chunks = chunks.filter(source__in=list(request.sources))
        if request.metadata:
            chunks = chunks.filter(metadata__contains=dict(request.metadata))
        ranked = chunks.annotate(
            rank=SearchRank(F("search_vector"), query, cover_density=True)
        ).order_by("-rank", "source", "doc_id", "ordinal")
        lexical = _best_per_document(
            ranked.values_list("pk", "source", "doc_id", "rank")[: request.limit * _CHUNKS_PER_HIT],
            request.limit,
        )
        dense = self._dense(request)
        rank_of = (
            dict(lexical.values())
            if dense is None
            else _shown_chunks(lexical, dense, request.limit)
        )
        # The headline is the costly part: only for the chunks shown.
        shown = SearchChunk.objects.filter(pk__in=list(rank_of)).annotate(
            headline=SearchHeadline(
                Func(F("text"), Value(_ANGLES), Value(_STAND_INS), function="translate"),
                query,
                config=SEARCH_CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=40,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        hits = [_hit(chunk, rank_of[chunk.pk]) for chunk in shown]
        return sorted(hits, key=lambda h: (-h.score, h.source, h.doc_id))

    def _dense(self, request: SearchRequest) -> dict[tuple[str, str], tuple[int, float]] | None:
        """The best chunk per document by meaning, or None without an embedder's vectors."""
        embedder = self.embedder
        if embedder is None or not selectors.embeddings_ready(embedder=embedder):
            return None
        (vector,) = embedder.embed([request.query])
        nearest = selectors.nearest_chunks(
            embedder=embedder,
            vector=vector,
            sources=request.sources,
            metadata=dict(request.metadata),
            limit=request.limit * _CHUNKS_PER_HIT,
        )
        close = settings.SEARCH_DENSE_MIN_SIMILARITY
        return _best_per_document((hit for hit in nearest if hit[3] >= close), request.limit)


def _best_per_document(
    ranked: Iterable[tuple[int, str, str, float]], limit: int
) -> dict[tuple[str, str], tuple[int, float]]:
    """The first (best) chunk of each document in a ranked list, up to `limit` documents."""
    best: dict[tuple[str, str], tuple[int, float]] = {}
    for pk, source, doc_id, score in ranked:
        best.setdefault((source, doc_id), (pk, score))
        if len(best) == limit:
            break
    return best


def _shown_chunks(
    lexical: dict[tuple[str, str], tuple[int, float]],
    dense: dict[tuple[str, str], tuple[int, float]],
    limit: int,
) -> dict[int, float]:
    """Both rankings fused (RRF): the chunk to show per document -> its fused score.

    A document found by words shows its best word-matching chunk (its snippet then has
    highlights); one found only by meaning shows its nearest chunk.
    """
    scores = fuse([lexical, dense], limit=limit)
    return {(lexical.get(key) or dense[key])[0]: score for key, score in scores.items()}


def _hit(chunk: SearchChunk, rank: float) -> SearchHit:
    snippet, highlights = _unmark(getattr(chunk, "headline", "") or chunk.text[:200])
    return SearchHit(
        source=chunk.source,
        doc_id=chunk.doc_id,
        title=chunk.title,
        url=chunk.url,
        admin_path=chunk.admin_path,
        updated_at=chunk.updated_at,
        snippet=snippet,
        highlights=highlights,
        score=float(rank),
        metadata=chunk.metadata,
    )


def _unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Plain snippet text (brackets restored) and the (start, end) offsets of its matches."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length, start = 0, None
    for char in marked:
        if char == START:
            start = length
        elif char == STOP:
            if start is not None:
                spans.append((start, length))
            start = None
        else:
            plain.append(_ANGLES[_STAND_INS.index(char)] if char in _STAND_INS else char)
            length += 1
    return "".join(plain), spans
