"""Read-only admin over detected releases and which groups consumed them."""

from django.contrib import admin

from boost_collector_runner.models import DetectedRelease, ReleaseConsumption
from core.admin import ReadOnlyAdmin


@admin.register(DetectedRelease)
class DetectedReleaseAdmin(ReadOnlyAdmin):
    list_display = ("version", "detected_at")
    search_fields = ("version",)


@admin.register(ReleaseConsumption)
class ReleaseConsumptionAdmin(ReadOnlyAdmin):
    list_display = ("release", "group", "consumed_at")
    list_filter = ("group",)
    list_select_related = ("release",)
