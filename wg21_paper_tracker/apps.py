from django.apps import AppConfig


class Wg21PaperTrackerConfig(AppConfig):
    """The wg21_paper_tracker collector app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "wg21_paper_tracker"
