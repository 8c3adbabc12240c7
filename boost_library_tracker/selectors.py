"""Reads of the Boost catalogue that the collector and other apps use."""

from __future__ import annotations

from boost_library_tracker.models import BoostVersion, Library


def stored_version_names() -> set[str]:
    """The names of the Boost versions whose catalogue is stored (`boost-1.86.0`, ...)."""
    return set(BoostVersion.objects.values_list("name", flat=True))


def library_repo_names() -> list[str]:
    """The boostorg repositories that hold at least one catalogued library, sorted."""
    return sorted(set(Library.objects.values_list("repo_name", flat=True)))
