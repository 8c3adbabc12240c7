"""Reads other apps use: the newest report and export, for the status page."""

from __future__ import annotations

from reports.models import Export, Report


def latest_report() -> Report | None:
    return Report.objects.order_by("-created_at", "-id").first()


def latest_export() -> Export | None:
    return Export.objects.order_by("-created_at", "-id").first()
