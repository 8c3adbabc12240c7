from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ReadOnlyAdmin
from reports.models import Export, ReleaseSummary, Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Every report written, newest first, each linked to its file."""

    list_display = ("month", "format", "created_at", "sections", "open_link")
    list_filter = ("format", "month")
    search_fields = ("month", "path")

    @admin.display(description="report")
    def open_link(self, obj: Report) -> str:
        return format_html('<a href="{}">open</a>', reverse("reports-report", args=[obj.pk]))


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "format", "incremental", "path", "manifest_link")
    list_filter = ("format", "incremental")

    @admin.display(description="manifest")
    def manifest_link(self, obj: Export) -> str:
        url = reverse("reports-export-manifest", args=[obj.pk])
        return format_html('<a href="{}">manifest.json</a>', url)


@admin.register(ReleaseSummary)
class ReleaseSummaryAdmin(ReadOnlyAdmin):
    list_display = ("version", "previous_version", "updated_at", "path")
    search_fields = ("version",)
