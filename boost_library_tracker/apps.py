from django.apps import AppConfig


class BoostLibraryTrackerConfig(AppConfig):
    """The Boost catalogue: versions, libraries, categories and per-version library metadata."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "boost_library_tracker"
    verbose_name = "Boost libraries"
