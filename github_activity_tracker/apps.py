from django.apps import AppConfig


class GithubActivityTrackerConfig(AppConfig):
    """GitHub activity of the Boost repositories: commits, issues, pull requests, reviews."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "github_activity_tracker"
    verbose_name = "GitHub activity"
