from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """What operators look at: /health/, /metrics and the status pages, all read from the ledger."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = "Monitoring"
