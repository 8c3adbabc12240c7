"""The index backends behind one interface, chosen by name (`SEARCH_BACKEND`, `--backend`)."""

from __future__ import annotations

from django.core.management.base import CommandError

from cppa_pinecone_sync.backends.base import IndexBackend, SearchHit, SearchRequest
from cppa_pinecone_sync.backends.postgres import PostgresBackend

__all__ = ["IndexBackend", "SearchHit", "SearchRequest", "get_backend"]


def get_backend(name: str) -> IndexBackend:
    if name == PostgresBackend.name:
        return PostgresBackend()
    if name == "pinecone":
        from cppa_pinecone_sync.backends.pinecone import PineconeBackend

        return PineconeBackend()
    raise CommandError(f"unknown search backend {name!r}; use postgres or pinecone")
