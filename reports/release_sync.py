"""`ReleaseSyncCollector`: what happens once a Boost release is detected.

1. the release's catalogue is collected again (`run_boost_library_tracker --version
   <release>`; upserts, so a second run changes nothing);
2. the release summary is written: new libraries, updated libraries (what changed in
   their `libraries.json`), contributors (persons) since the previous release; as a
   `ReleaseSummary` row and as `WORKSPACE_DIR/reports/releases/<release>.{json,md}`,
   with no timestamp inside, so the same data gives the same files;
3. `sync_pinecone()` refreshes the search documents of every registered source.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from boost_collector_runner.models import DetectedRelease
from boost_library_tracker.models import BoostVersion, LibraryVersion, LibraryVersionPerson
from core.collectors import AbstractCollector
from core.runs import RunCounters
from cppa_pinecone_sync.sync import sync_sources
from reports import services
from reports.catalogue_section import library_keys, previous_version
from reports.github_section import contributors_between
from reports.render import write_atomic

VERSION_RE = re.compile(r"^boost-\d+\.\d+\.\d+$")
COMPARED_FIELDS = (
    "name",
    "description",
    "documentation",
    "cxxstd",
    "status",
    "first_boost_version",
    "std",
    "modules",
)


def newest_release() -> str | None:
    """The newest detected release, else the newest catalogued one."""
    detected = DetectedRelease.objects.order_by("-detected_at", "-id").first()
    if detected is not None:
        return detected.version
    stored = BoostVersion.objects.order_by("-major", "-minor", "-patch").first()
    return stored.name if stored else None


def _library_state(version: BoostVersion) -> dict[str, dict[str, Any]]:
    """Per library key: the compared fields, its categories and its credited people."""
    people: dict[int, list[str]] = defaultdict(list)
    credits = LibraryVersionPerson.objects.filter(library_version__version=version)
    for library_version_id, role, name in credits.order_by(
        "library_version_id", "role", "position"
    ).values_list("library_version_id", "role", "identity__name"):
        people[library_version_id].append(f"{role}:{name}")
    state: dict[str, dict[str, Any]] = {}
    rows = LibraryVersion.objects.filter(version=version).select_related("library")
    for row in rows.prefetch_related("categories"):
        fields = {name: getattr(row, name) for name in COMPARED_FIELDS}
        fields["categories"] = sorted(category.name for category in row.categories.all())
        fields["people"] = people[row.pk]
        state[row.library.key] = fields
    return state


def build_summary(version: BoostVersion) -> tuple[str, dict[str, Any]]:
    """(previous release name, summary) for `version`."""
    before = previous_version(version)
    now = _library_state(version)
    then = _library_state(before) if before else {}
    new = sorted(set(now) - set(then)) if before else []
    updated = {
        key: sorted(name for name in now[key] if now[key][name] != then[key].get(name))
        for key in sorted(set(now) & set(then))
    }
    contributors: list[tuple[str, int]] = []
    if before is not None and before.released_at and version.released_at:
        contributors = contributors_between(before.released_at, version.released_at)
    summary = {
        "version": version.name,
        "released_at": version.released_at.isoformat() if version.released_at else None,
        "previous_version": before.name if before else None,
        "libraries": len(library_keys(version)),
        "new_libraries": new,
        "updated_libraries": {key: fields for key, fields in updated.items() if fields},
        "removed_libraries": sorted(set(then) - set(now)),
        "contributors_since_previous": len(contributors),
        "top_contributors": [{"name": name, "commits": n} for name, n in contributors[:20]],
    }
    return (before.name if before else ""), summary


def summary_markdown(summary: dict[str, Any]) -> str:
    lines = [f"# {summary['version']}", ""]
    lines.append(f"- released: {summary['released_at'] or 'unknown'}")
    lines.append(f"- previous release: {summary['previous_version'] or 'none stored'}")
    lines.append(f"- libraries: {summary['libraries']}")
    lines.append(f"- new libraries: {', '.join(summary['new_libraries']) or 'none'}")
    updated = summary["updated_libraries"]
    lines.append(f"- updated libraries: {len(updated)}")
    lines += [f"  - {key}: {', '.join(fields)}" for key, fields in updated.items()]
    lines.append(
        f"- contributors since the previous release: {summary['contributors_since_previous']}"
    )
    lines += [
        f"  - {row['name']} ({row['commits']} commits)" for row in summary["top_contributors"]
    ]
    return "\n".join(lines) + "\n"


class ReleaseSyncCollector(AbstractCollector):
    def __init__(self, *, version: str | None, recollect: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.version = version
        self.recollect = recollect

    @property
    def name(self) -> str:
        return "on_release_sync"

    def validate_config(self) -> None:
        if self.version is not None and not VERSION_RE.match(self.version):
            raise CommandError(
                f"--version must be a stable tag like boost-1.86.0, got {self.version!r}"
            )

    def collect(self) -> None:
        name = self.version or newest_release()
        if name is None:
            raise CommandError(
                "no Boost release is known yet: run run_boost_library_tracker first, "
                "or pass --version boost-X.Y.Z"
            )
        if self.recollect:
            out = StringIO()
            call_command(
                "run_boost_library_tracker", "--version", name, "--no-progress", stdout=out
            )
            self.count("catalogue_runs")
        version = BoostVersion.objects.filter(name=name).first()
        if version is None:
            raise CommandError(
                f"{name} is not in the catalogue: run run_boost_library_tracker --version {name}"
            )
        previous, summary = build_summary(version)
        directory = Path(settings.WORKSPACE_DIR) / "reports" / "releases"
        try:
            write_atomic(
                directory / f"{name}.json", (json.dumps(summary, indent=2) + "\n").encode()
            )
            write_atomic(directory / f"{name}.md", summary_markdown(summary).encode())
        except OSError as exc:
            raise CommandError(
                f"cannot write the release summary under {directory}: {exc.strerror}"
            ) from exc
        _, changed = services.upsert_release_summary(
            version=name,
            previous_version=previous,
            summary=summary,
            path=str(directory / f"{name}.md"),
        )
        self.count("updated" if changed else "unchanged")
        state = "written" if changed else "unchanged"
        self.write(
            f"Release summary for {name} {state}: {len(summary['new_libraries'])} new, "
            f"{len(summary['updated_libraries'])} updated libraries, "
            f"{summary['contributors_since_previous']} contributors since "
            f"{previous or 'the first stored release'} ({directory / (name + '.md')})"
        )

    def sync_pinecone(self) -> None:
        """Refresh every registered search source (each reads only what changed)."""
        synced = RunCounters()
        try:
            sync_sources(counters=synced)
        finally:
            for key, value in synced.as_dict().items():
                self.count(f"search_{key}", value)
