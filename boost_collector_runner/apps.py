from django.apps import AppConfig


class BoostCollectorRunnerConfig(AppConfig):
    """The YAML-driven scheduler: schedule file, batch runner, Celery task, release hook."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "boost_collector_runner"
    verbose_name = "Collector scheduler"

    def ready(self) -> None:
        from boost_collector_runner import checks  # noqa: F401  (registers the system check)
