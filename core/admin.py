"""Read-only admin over the run ledger and the quarantine: commands write them, never people."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.models import Checkpoint, CollectorRun, HttpCacheEntry, QuarantinedItem


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows data but offers no way to add, change or delete it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CollectorRun)
class CollectorRunAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "command",
        "kind",
        "group",
        "trigger",
        "status",
        "failure_category",
        "started_at",
        "duration_seconds",
        "exit_code",
    )
    list_filter = ("status", "kind", "trigger", "failure_category", "group")
    search_fields = ("command", "collector", "error_summary", "host")
    date_hierarchy = "started_at"
    raw_id_fields = ("parent",)
    list_select_related = False
    show_full_result_count = False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("collector", "source_key", "updated_at")
    list_filter = ("collector",)
    search_fields = ("collector", "source_key")


@admin.register(HttpCacheEntry)
class HttpCacheEntryAdmin(ReadOnlyAdmin):
    list_display = ("url", "etag", "fetched_at")
    search_fields = ("url",)
    exclude = ("body",)  # parsed responses can be large; the URL and validators are enough
    show_full_result_count = False


@admin.register(QuarantinedItem)
class QuarantinedItemAdmin(ReadOnlyAdmin):
    """Items a collector could not parse or store; each detail page shows the payload."""

    list_display = (
        "collector",
        "scope",
        "item_key",
        "category",
        "reason",
        "attempts",
        "first_seen",
        "last_seen",
    )
    list_filter = ("collector", "category")
    search_fields = ("scope", "item_key", "reason")
    date_hierarchy = "last_seen"
