"""The `postgres` backend: chunks in a table of this database, full-text search on it.

Ranking is `ts_rank_cd` (cover density: matches close together rank higher) over a
`websearch_to_tsquery` query, which accepts anything a person types (quotes, `-`,
`or`, stray `:`) without a syntax error. Snippets are `ts_headline` of the best chunk
of each document, with matches marked by control characters that the callers turn
into highlights, so no markup from the text itself is ever trusted.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.search import (
    SearchHeadline,  # pyright: ignore[reportAttributeAccessIssue]
    SearchQuery,
    SearchRank,
)
from django.db.models import F, Func, Value

from cppa_pinecone_sync import selectors, services
from cppa_pinecone_sync.backends.base import SearchHit, SearchRequest
from cppa_pinecone_sync.models import SEARCH_CONFIG, SearchChunk
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

    def write(self, *, source: str, documents: Sequence[ChunkedDocument]) -> ChunkWrites:
        return services.replace_chunks(source=source, documents=documents)

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
        best: dict[tuple[str, str], tuple[int, float]] = {}
        for pk, source, doc_id, rank in ranked.values_list("pk", "source", "doc_id", "rank")[
            : request.limit * _CHUNKS_PER_HIT
        ]:
            best.setdefault((source, doc_id), (pk, rank))
            if len(best) == request.limit:
                break
        rank_of = dict(best.values())
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
