from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Monthly reports, table exports and the release summary: where people read the data."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports and exports"

    def ready(self) -> None:
        from reports.sections import discover_sections

        discover_sections()
