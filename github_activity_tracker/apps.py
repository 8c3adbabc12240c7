from django.apps import AppConfig


class GithubActivityTrackerConfig(AppConfig):
    """GitHub activity of the Boost repositories: commits, issues, pull requests, reviews."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "github_activity_tracker"
    verbose_name = "GitHub activity"

    def ready(self) -> None:
        from cppa_pinecone_sync.registry import register_source
        from github_activity_tracker.search_documents import GITHUB_SOURCE

        register_source(GITHUB_SOURCE)
