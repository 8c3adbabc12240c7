"""What the reporting commands wrote: reports, exports and release summaries.

Files live under the workspace; these rows say where, for the status page and the
admin, and an export's row carries the watermark the next incremental export starts
from.
"""

from __future__ import annotations

from django.db import models


class Report(models.Model):
    """One written monthly report file (a month may have several formats)."""

    month = models.CharField(max_length=7)  # YYYY-MM
    format = models.CharField(max_length=8)
    path = models.CharField(max_length=1024)
    # sha256 of the body without its generation timestamp: equal for equal data.
    content_hash = models.CharField(max_length=64)
    sections = models.JSONField(default=list)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["month", "format"], name="report_month_format")]

    def __str__(self) -> str:
        return f"report {self.month} ({self.format})"


class Export(models.Model):
    """One completed export directory; `watermark` maps each table to where it ended."""

    format = models.CharField(max_length=8)
    path = models.CharField(max_length=1024)
    apps = models.JSONField(default=list)
    incremental = models.BooleanField(default=False)
    watermark = models.JSONField(default=dict)
    row_counts = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.created_at:%Y-%m-%d %H:%M} ({self.format})"


class ReleaseSummary(models.Model):
    """What a Boost release brought, written once per release and rewritten identically."""

    version = models.CharField(max_length=32, unique=True)
    previous_version = models.CharField(max_length=32, blank=True)
    summary = models.JSONField(default=dict)
    path = models.CharField(max_length=1024, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "release summaries"

    def __str__(self) -> str:
        return self.version
