from django.apps import AppConfig


class BoostUsageTrackerConfig(AppConfig):
    """Boost usage in public code: repositories outside boostorg that include Boost headers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "boost_usage_tracker"
    verbose_name = "Boost usage"

    def ready(self) -> None:
        from boost_usage_tracker.search_documents import USAGE_SOURCE
        from cppa_pinecone_sync.registry import register_source

        register_source(USAGE_SOURCE)
