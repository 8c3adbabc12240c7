"""The query side shared by `manage.py search`, `/search/` and `/api/search`.

Input is checked here once, so every entry point refuses the same things with the
same one-line message: an empty query, one longer than SEARCH_MAX_QUERY_CHARS, an
unknown source, a limit out of range. Anything else a person types is valid:
`websearch_to_tsquery` reads quotes and operators without syntax errors, and a
query of stop words only matches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from core.text import strip_nul
from cppa_pinecone_sync.backends import SearchHit, SearchRequest, get_backend
from cppa_pinecone_sync.registry import registered_sources

MAX_LIMIT = 100


class BadQuery(ValueError):
    """A query the search refuses, with the one line that says why."""


def build_request(*, query: str, sources: Iterable[str] = (), limit: Any = 10) -> SearchRequest:
    text = " ".join(strip_nul(query or "").split())
    if not text:
        raise BadQuery("the query is empty")
    if len(text) > settings.SEARCH_MAX_QUERY_CHARS:
        raise BadQuery(
            f"the query is {len(text)} characters long; at most "
            f"{settings.SEARCH_MAX_QUERY_CHARS} are accepted (SEARCH_MAX_QUERY_CHARS)"
        )
    known = {source.name for source in registered_sources()}
    wanted = [name for name in dict.fromkeys(sources) if name]
    for name in wanted:
        if name not in known:
            raise BadQuery(
                f"unknown source {name!r}; registered sources: {', '.join(sorted(known)) or 'none'}"
            )
    try:
        count = int(limit)
    except (TypeError, ValueError):
        raise BadQuery(f"limit must be a whole number, got {limit!r}") from None
    if not 1 <= count <= MAX_LIMIT:
        raise BadQuery(f"limit must be between 1 and {MAX_LIMIT}, got {count}")
    return SearchRequest(query=text, sources=tuple(wanted), limit=count)


def search(request: SearchRequest, *, backend: str | None = None) -> list[SearchHit]:
    return get_backend(backend or settings.SEARCH_BACKEND).search(request)


def hit_as_dict(hit: SearchHit) -> dict[str, Any]:
    """A hit as JSON: plain snippet text plus the [start, end) offsets of its matches."""
    return {
        "source": hit.source,
        "doc_id": hit.doc_id,
        "title": hit.title,
        "url": hit.url,
        "admin_path": hit.admin_path,
        "updated_at": hit.updated_at.isoformat() if hit.updated_at else None,
        "snippet": hit.snippet,
        "highlights": [list(span) for span in hit.highlights],
        "score": round(hit.score, 6),
        "metadata": dict(hit.metadata),
    }
