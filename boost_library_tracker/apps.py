from django.apps import AppConfig


class BoostLibraryTrackerConfig(AppConfig):
    """The Boost catalogue: versions, libraries, categories and per-version library metadata."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "boost_library_tracker"
    verbose_name = "Boost libraries"

    def ready(self) -> None:
        """Register the catalogue's release detector with the runner (on_release tasks)."""
        from boost_collector_runner.releases import register_release_detector
        from boost_library_tracker.releases import detect_new_boost_release

        register_release_detector(detect_new_boost_release)
