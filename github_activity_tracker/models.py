"""GitHub activity of the tracked repositories.

Rows are keyed on GitHub's own identifiers (numeric ids, commit SHAs, issue numbers
per repository) so re-reading an overlap window updates rows instead of adding twins.
`created_at`/`updated_at`/`closed_at` here are GitHub's timestamps, not ours: the
incremental checkpoints compare against them. People are `cppa_user_tracker` rows:
GitHub accounts by numeric id, commit authors without an account by name + email.
"""

from __future__ import annotations

from django.db import models

from cppa_user_tracker.models import GitHubAccount, GitIdentity


def _account(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        GitHubAccount,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


def _row_changed_at() -> models.DateTimeField:
    """When our database last wrote the row (not GitHub's time): the search sync's watermark.

    `core.bulk.upsert` moves it only when a row really changed.
    """
    return models.DateTimeField(auto_now=True, db_index=True)


class RepositoryStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RENAMED = "renamed", "Renamed (301)"
    DELETED = "deleted", "Deleted (404)"


class Repository(models.Model):
    """A tracked repository; `github_id` is empty only for one seen solely as a 404."""

    github_id = models.BigIntegerField(unique=True, null=True, blank=True)
    owner = models.CharField(max_length=100)
    name = models.CharField(max_length=100)
    full_name = models.CharField(max_length=201, unique=True)
    description = models.TextField(blank=True)
    stars = models.PositiveIntegerField(default=0)
    forks = models.PositiveIntegerField(default=0)
    topics = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=100, blank=True)
    license = models.CharField(max_length=100, blank=True)
    default_branch = models.CharField(max_length=255, blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=RepositoryStatus.choices, default=RepositoryStatus.ACTIVE
    )
    renamed_to = models.CharField(max_length=201, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "repositories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RepositoryStatus.values),
                name="repository_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Commit(models.Model):
    """A commit reachable in a repository; the same SHA in a fork is a separate row."""

    repository = models.ForeignKey(  # the unique constraint below leads with it
        Repository, on_delete=models.CASCADE, related_name="commits", db_index=False
    )
    sha = models.CharField(max_length=40)
    message = models.TextField(blank=True)
    author = models.ForeignKey(
        GitIdentity, null=True, on_delete=models.PROTECT, related_name="authored_commits"
    )
    committer = models.ForeignKey(
        GitIdentity, null=True, on_delete=models.PROTECT, related_name="committed_commits"
    )
    author_account = _account("authored_commits")
    committer_account = _account("committed_commits")
    authored_at = models.DateTimeField(null=True)
    committed_at = models.DateTimeField(null=True, db_index=True)
    # Only the commit detail endpoint reports stats; NULL means "not fetched yet".
    additions = models.PositiveIntegerField(null=True)
    deletions = models.PositiveIntegerField(null=True)
    # People's repository evidence: authors of commits stored or relinked since a time.
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["repository", "committed_at"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "sha"], name="commit_repo_sha_unique"),
        ]

    def __str__(self) -> str:
        return self.sha[:12]


class FileChange(models.Model):
    commit = models.ForeignKey(  # the unique constraint below leads with it
        Commit, on_delete=models.CASCADE, related_name="files", db_index=False
    )
    filename = models.CharField(max_length=1024)
    previous_filename = models.CharField(max_length=1024, blank=True)
    status = models.CharField(max_length=16)
    additions = models.PositiveIntegerField(default=0)
    deletions = models.PositiveIntegerField(default=0)
    changes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["commit", "filename"]
        constraints = [
            models.UniqueConstraint(
                fields=["commit", "filename"], name="file_change_commit_filename_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class Label(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="labels")
    github_id = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=255)
    color = models.CharField(max_length=16, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["repository", "name"]

    def __str__(self) -> str:
        return self.name


class Issue(models.Model):
    """An issue or a pull request: GitHub numbers both in one sequence per repository."""

    repository = models.ForeignKey(  # the unique constraint below leads with it
        Repository, on_delete=models.CASCADE, related_name="issues", db_index=False
    )
    github_id = models.BigIntegerField(unique=True)
    number = models.PositiveIntegerField()
    is_pull_request = models.BooleanField(default=False)
    title = models.TextField()
    body = models.TextField(blank=True)
    state = models.CharField(max_length=16)
    state_reason = models.CharField(max_length=32, blank=True)
    locked = models.BooleanField(default=False)
    author = _account("issues")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    labels = models.ManyToManyField(Label, through="IssueLabel", related_name="issues")
    assignees = models.ManyToManyField(
        GitHubAccount, through="IssueAssignee", related_name="assigned_issues"
    )
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["repository", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "number"], name="issue_repo_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class IssueLabel(models.Model):
    issue_id: int
    label_id: int

    issue = models.ForeignKey(  # the unique constraint below leads with it
        Issue, on_delete=models.CASCADE, related_name="label_links", db_index=False
    )
    label = models.ForeignKey(Label, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "label"], name="issue_label_unique"),
        ]

    def __str__(self) -> str:
        return f"issue {self.issue_id} label {self.label_id}"


class IssueAssignee(models.Model):
    issue_id: int
    account_id: int

    issue = models.ForeignKey(  # the unique constraint below leads with it
        Issue, on_delete=models.CASCADE, related_name="assignee_links", db_index=False
    )
    account = models.ForeignKey(GitHubAccount, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "account"], name="issue_assignee_unique"),
        ]

    def __str__(self) -> str:
        return f"issue {self.issue_id} assignee {self.account_id}"


class PullRequest(models.Model):
    """Merge data of a pull request (from `/pulls/{n}`), one-to-one with its `Issue`."""

    issue_id: int

    issue = models.OneToOneField(Issue, on_delete=models.CASCADE, related_name="pull_request")
    github_id = models.BigIntegerField(unique=True)
    draft = models.BooleanField(default=False)
    head_ref = models.CharField(max_length=255, blank=True)
    base_ref = models.CharField(max_length=255, blank=True)
    merged = models.BooleanField(default=False)
    merged_at = models.DateTimeField(null=True, blank=True)
    merge_commit_sha = models.CharField(max_length=40, blank=True)
    merged_by = _account("merged_pull_requests")
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["issue"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(merged=False) | models.Q(merged_at__isnull=False),
                name="pull_request_merged_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"PR {self.issue_id}"


class Comment(models.Model):
    """A conversation comment on an issue or pull request."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="comments")
    github_id = models.BigIntegerField(unique=True)
    author = _account("issue_comments")
    body = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["issue", "created_at"]

    def __str__(self) -> str:
        return f"comment {self.github_id}"


class Review(models.Model):
    """A pull request review; approvals and change requests are the data that matters."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="reviews")
    github_id = models.BigIntegerField(unique=True)
    author = _account("reviews")
    state = models.CharField(max_length=32)
    body = models.TextField(blank=True)
    commit_sha = models.CharField(max_length=40, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["issue", "submitted_at"]

    def __str__(self) -> str:
        return f"review {self.github_id} ({self.state})"


class ReviewComment(models.Model):
    """A comment on a line of a pull request's diff."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="review_comments")
    github_id = models.BigIntegerField(unique=True)
    review_github_id = models.BigIntegerField(null=True, blank=True)
    in_reply_to_github_id = models.BigIntegerField(null=True, blank=True)
    author = _account("review_comments")
    body = models.TextField(blank=True)
    path = models.CharField(max_length=1024, blank=True)
    commit_sha = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["issue", "created_at"]

    def __str__(self) -> str:
        return f"review comment {self.github_id}"


class Release(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="releases")
    github_id = models.BigIntegerField(unique=True)
    tag_name = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    draft = models.BooleanField(default=False)
    prerelease = models.BooleanField(default=False)
    author = _account("releases")
    created_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["repository", "published_at"]

    def __str__(self) -> str:
        return self.tag_name
