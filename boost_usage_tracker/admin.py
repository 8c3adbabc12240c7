from django.contrib import admin

from boost_usage_tracker.models import BoostUsage, DetectedBoostVersion, ExternalRepository
from core.admin import ReadOnlyAdmin


@admin.register(ExternalRepository)
class ExternalRepositoryAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "stars", "language", "state", "pushed_at")
    list_filter = ("state", "archived", "language")
    search_fields = ("full_name", "previous_full_name")


@admin.register(BoostUsage)
class BoostUsageAdmin(ReadOnlyAdmin):
    list_display = ("repository", "header", "library", "last_seen_at", "gone")
    list_filter = ("gone",)
    search_fields = ("repository__full_name", "header")


@admin.register(DetectedBoostVersion)
class DetectedBoostVersionAdmin(ReadOnlyAdmin):
    list_display = ("repository", "source", "constraint", "version", "file_path")
    list_filter = ("source",)
    search_fields = ("repository__full_name", "version")
