from django.contrib import admin

from core.admin import ReadOnlyAdmin
from wg21_paper_tracker.models import Wg21PaperTrackerRunState


@admin.register(Wg21PaperTrackerRunState)
class Wg21PaperTrackerRunStateAdmin(ReadOnlyAdmin):
    list_display = ("source_key", "run_count", "updated_at")
    search_fields = ("source_key",)
