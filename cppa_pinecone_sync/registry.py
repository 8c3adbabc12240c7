"""The registered document sources, by name; apps register theirs in `AppConfig.ready`."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.base import CommandError

from cppa_pinecone_sync.documents import DocumentSource

_sources: dict[str, DocumentSource] = {}


def register_source(source: DocumentSource) -> None:
    """Add a source; registering the same name again replaces it (module reloads)."""
    if not source.name or not source.name.replace("_", "").isalnum():
        raise ValueError(f"source name {source.name!r} must be letters, digits and _")
    _sources[source.name] = source


def registered_sources() -> list[DocumentSource]:
    return [_sources[name] for name in sorted(_sources)]


def select_sources(names: Iterable[str] | None) -> list[DocumentSource]:
    """The named sources (all when none are named); an unknown name is a one-line error."""
    wanted = list(dict.fromkeys(names or []))
    if not wanted:
        return registered_sources()
    unknown = [name for name in wanted if name not in _sources]
    if unknown:
        known = ", ".join(sorted(_sources)) or "none"
        raise CommandError(f"unknown search source {unknown[0]!r}; registered sources: {known}")
    return [_sources[name] for name in wanted]
