from django.apps import AppConfig


class GithubActivityTrackerConfig(AppConfig):
    """GitHub activity of the Boost repositories: commits, issues, pull requests, reviews."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "github_activity_tracker"
    verbose_name = "GitHub activity"

    def ready(self) -> None:
        from cppa_pinecone_sync.registry import register_source
        from cppa_user_tracker.registry import register_activity, register_repositories
        from github_activity_tracker import selectors
        from github_activity_tracker.search_documents import GITHUB_SOURCE

        register_source(GITHUB_SOURCE)
        # Commit authors are contributors: people's selectors count them once per person.
        register_activity("git_identity", "github_commits", selectors.commit_author_identity_ids)
        register_activity("github_account", "github_commits", selectors.commit_author_account_ids)
        # Shared repositories are weak evidence between a git identity and an account.
        register_repositories(
            "git_identity",
            "github_commits",
            repositories=selectors.identity_repositories,
            changed_since=selectors.identities_active_since,
        )
        register_repositories(
            "github_account",
            "github_activity",
            repositories=selectors.account_repositories,
            changed_since=selectors.accounts_active_since,
        )
