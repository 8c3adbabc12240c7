"""The releases section: Boost releases dated in the month and the libraries they added."""

from __future__ import annotations

from boost_library_tracker.models import BoostVersion, LibraryVersion
from reports.sections import ReportPeriod, Section, Table


def previous_version(version: BoostVersion) -> BoostVersion | None:
    """The stored release just before `version` by number."""
    earlier = (
        BoostVersion.objects.filter(major__lte=version.major)
        .exclude(pk=version.pk)
        .order_by("-major", "-minor", "-patch")
    )
    for candidate in earlier:
        if (candidate.major, candidate.minor, candidate.patch) < (
            version.major,
            version.minor,
            version.patch,
        ):
            return candidate
    return None


def library_keys(version: BoostVersion | None) -> set[str]:
    if version is None:
        return set()
    return set(
        LibraryVersion.objects.filter(version=version).values_list("library__key", flat=True)
    )


def new_library_keys(version: BoostVersion) -> list[str]:
    """Libraries catalogued in `version` and not in the release before it.

    With no earlier release stored there is nothing to compare with: none are new.
    """
    before = previous_version(version)
    if before is None:
        return []
    return sorted(library_keys(version) - library_keys(before))


def build_releases_section(period: ReportPeriod) -> Section | None:
    versions = list(
        BoostVersion.objects.filter(released_at__gte=period.start, released_at__lt=period.end)
    )
    if not versions:
        return None
    rows: list[list[object]] = []
    for version in versions:
        released = version.released_at.date().isoformat() if version.released_at else ""
        new = new_library_keys(version)
        rows.append([version.name, released, len(library_keys(version)), ", ".join(new)])
    return Section(
        key="releases",
        title="Boost releases",
        facts=[("releases", str(len(versions)))],
        blocks=[
            Table(
                key="releases",
                title="Releases this month",
                columns=["release", "date", "libraries", "new libraries"],
                rows=rows,
            )
        ],
    )
