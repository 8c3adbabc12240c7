from django.apps import AppConfig


class TestsSupportConfig(AppConfig):
    """Real collector commands for the scheduler tests; installed only by the test settings."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tests_support"
