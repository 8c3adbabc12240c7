from django.apps import AppConfig


class CppaUserTrackerConfig(AppConfig):
    """People: profiles from every source and the persons that group them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cppa_user_tracker"
    verbose_name = "People"

    def ready(self) -> None:
        from cppa_user_tracker.profile_kinds import BUILT_IN_KINDS
        from cppa_user_tracker.registry import register_profile_kind

        for kind in BUILT_IN_KINDS:
            register_profile_kind(kind)
