"""Every write of the reports app: the rows that say which report and export exist."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from reports.models import Export, ReleaseSummary, Report


def record_report(
    *, month: str, fmt: str, path: str, content_hash: str, sections: list[str]
) -> Report:
    """Note a written report file (each run adds a row: the admin lists them all)."""
    return Report.objects.create(
        month=month,
        format=fmt,
        path=path,
        content_hash=content_hash,
        sections=sections,
        created_at=timezone.now(),
    )


def record_export(
    *,
    fmt: str,
    path: str,
    apps: list[str],
    incremental: bool,
    watermark: dict[str, Any],
    row_counts: dict[str, int],
) -> Export:
    """Note a completed export; its watermark is where the next incremental one starts."""
    return Export.objects.create(
        format=fmt,
        path=path,
        apps=apps,
        incremental=incremental,
        watermark=watermark,
        row_counts=row_counts,
        created_at=timezone.now(),
    )


@transaction.atomic
def upsert_release_summary(
    *, version: str, previous_version: str, summary: dict[str, Any], path: str
) -> tuple[ReleaseSummary, bool]:
    """Write the summary of `version` once; a re-run with equal content changes nothing.

    Returns the row and whether it was created or changed.
    """
    now = timezone.now()
    row = ReleaseSummary.objects.select_for_update().filter(version=version).first()
    if row is None:
        row = ReleaseSummary.objects.create(
            version=version,
            previous_version=previous_version,
            summary=summary,
            path=path,
            created_at=now,
            updated_at=now,
        )
        return row, True
    if (row.previous_version, row.summary, row.path) == (previous_version, summary, path):
        return row, False
    row.previous_version, row.summary, row.path, row.updated_at = (
        previous_version,
        summary,
        path,
        now,
    )
    row.save(update_fields=["previous_version", "summary", "path", "updated_at"])
    return row, True
