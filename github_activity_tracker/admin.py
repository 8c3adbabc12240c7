"""Read-only admin over GitHub activity, with the searches and filters people use."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from github_activity_tracker.models import (
    Comment,
    Commit,
    FileChange,
    Issue,
    Label,
    PullRequest,
    Release,
    Repository,
    Review,
    ReviewComment,
)


@admin.register(Repository)
class RepositoryAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "status", "stars", "forks", "language", "pushed_at")
    list_filter = ("status", "archived", "language")
    search_fields = ("full_name", "description", "renamed_to")


@admin.register(Commit)
class CommitAdmin(ReadOnlyAdmin):
    list_display = ("sha", "repository", "author", "committed_at", "additions", "deletions")
    list_filter = ("repository",)
    search_fields = ("=sha", "message", "author__name", "author__email")
    list_select_related = ("repository", "author")
    raw_id_fields = ("author", "committer")
    date_hierarchy = "committed_at"
    show_full_result_count = False


@admin.register(FileChange)
class FileChangeAdmin(ReadOnlyAdmin):
    list_display = ("filename", "status", "additions", "deletions", "commit")
    list_filter = ("status",)
    search_fields = ("filename", "=commit__sha")
    list_select_related = ("commit",)
    raw_id_fields = ("commit",)
    show_full_result_count = False


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ("name", "repository", "color")
    list_filter = ("repository",)
    search_fields = ("name",)
    list_select_related = ("repository",)


@admin.register(Issue)
class IssueAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "repository", "is_pull_request", "state", "updated_at")
    list_filter = ("is_pull_request", "state", "repository")
    search_fields = ("title", "body", "=number")
    list_select_related = ("repository",)
    date_hierarchy = "updated_at"
    show_full_result_count = False


@admin.register(PullRequest)
class PullRequestAdmin(ReadOnlyAdmin):
    list_display = ("issue", "merged", "merged_at", "base_ref", "head_ref")
    list_filter = ("merged", "draft")
    search_fields = ("issue__title", "=merge_commit_sha")
    list_select_related = ("issue",)
    raw_id_fields = ("issue",)


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("github_id", "issue", "author", "created_at")
    search_fields = ("body",)
    list_select_related = ("issue", "author")
    raw_id_fields = ("issue", "author")
    show_full_result_count = False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("github_id", "issue", "author", "state", "submitted_at")
    list_filter = ("state",)
    search_fields = ("body",)
    list_select_related = ("issue", "author")
    raw_id_fields = ("issue", "author")


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyAdmin):
    list_display = ("github_id", "issue", "author", "path", "created_at")
    search_fields = ("body", "path")
    list_select_related = ("issue", "author")
    raw_id_fields = ("issue", "author")
    show_full_result_count = False


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ("tag_name", "name", "repository", "published_at", "prerelease")
    list_filter = ("prerelease", "draft", "repository")
    search_fields = ("tag_name", "name")
    list_select_related = ("repository",)
