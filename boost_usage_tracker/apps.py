from django.apps import AppConfig


class BoostUsageTrackerConfig(AppConfig):
    """Boost usage in public code: repositories outside boostorg that include Boost headers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "boost_usage_tracker"
    verbose_name = "Boost usage"
