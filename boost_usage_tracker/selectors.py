"""Reads of the usage tables, for the collector and for other apps."""

from __future__ import annotations

from datetime import datetime

from boost_usage_tracker.models import BoostUsage, ExternalRepository, RepositoryState


def repositories_without_details(*, limit: int) -> list[tuple[int, str]]:
    """(github id, full name) of active repositories whose details were never read."""
    rows = ExternalRepository.objects.filter(
        details_read_at__isnull=True, state=RepositoryState.ACTIVE
    ).order_by("id")
    return list(rows.values_list("github_id", "full_name")[:limit])


def repositories_to_refresh(*, read_before: datetime, limit: int) -> list[tuple[int, str]]:
    """(github id, node id) of active repositories last read before `read_before`."""
    rows = (
        ExternalRepository.objects.filter(state=RepositoryState.ACTIVE)
        .exclude(node_id="")
        .filter(details_read_at__lt=read_before)
        .order_by("id")
    )
    return list(rows.values_list("github_id", "node_id")[:limit])


def count_repositories(*, state: str = RepositoryState.ACTIVE) -> int:
    return ExternalRepository.objects.filter(state=state).count()


def libraries_used_by(full_name: str) -> list[str]:
    """The library keys a repository's current (not gone) usages name, sorted."""
    rows = BoostUsage.objects.filter(
        repository__full_name=full_name, gone=False, library__isnull=False
    ).values_list("library__key", flat=True)
    return sorted(set(rows))
