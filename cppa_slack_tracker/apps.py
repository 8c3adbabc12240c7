from django.apps import AppConfig


class CppaSlackTrackerConfig(AppConfig):
    """Slack: users, channels, memberships, messages and thread replies of the teams."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cppa_slack_tracker"
    verbose_name = "Slack"

    def ready(self) -> None:
        from cppa_pinecone_sync.registry import register_source
        from cppa_slack_tracker.people import MEMBER_KIND
        from cppa_slack_tracker.search_documents import SLACK_SOURCE
        from cppa_user_tracker.registry import register_profile_kind

        register_source(SLACK_SOURCE)
        register_profile_kind(MEMBER_KIND)
