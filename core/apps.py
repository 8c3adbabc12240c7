from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The framework: collector API, run ledger, locks and the embedded database."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Collector framework"

    def ready(self) -> None:
        from core import lookups

        lookups.register()
