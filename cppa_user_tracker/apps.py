from django.apps import AppConfig


class CppaUserTrackerConfig(AppConfig):
    """People: GitHub accounts, email addresses, commit identities and the persons behind them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cppa_user_tracker"
    verbose_name = "People"
