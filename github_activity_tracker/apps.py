from django.apps import AppConfig


class GithubActivityTrackerConfig(AppConfig):
    """GitHub activity of the Boost repositories: commits, issues, pull requests, reviews."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "github_activity_tracker"
    verbose_name = "GitHub activity"

    def ready(self) -> None:
        from cppa_pinecone_sync.registry import register_source
        from cppa_user_tracker.registry import register_activity
        from github_activity_tracker import selectors
        from github_activity_tracker.search_documents import GITHUB_SOURCE

        register_source(GITHUB_SOURCE)
        # Commit authors are contributors: people's selectors count them once per person.
        register_activity("git_identity", "github_commits", selectors.commit_author_identity_ids)
        register_activity("github_account", "github_commits", selectors.commit_author_account_ids)
