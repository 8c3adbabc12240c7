"""Boost usage in public code: external repositories, the Boost headers they include, and
the Boost version they ask for, each with the evidence it was found by.

Rows are never deleted by a run: a usage no longer found is marked gone after
`BOOST_USAGE_GONE_AFTER_RUNS` complete searches, a repository GitHub no longer has is
marked deleted, and a renamed one keeps its row (GitHub's id) with the new name.
"""

from __future__ import annotations

from django.db import models

from boost_library_tracker.models import Library


class RepositoryState(models.TextChoices):
    ACTIVE = "active", "Active"
    DELETED = "deleted", "Deleted"  # GraphQL NOT_FOUND for its node id on a refresh


class ExternalRepository(models.Model):
    """A public GitHub repository outside boostorg whose code includes Boost headers."""

    github_id = models.BigIntegerField(unique=True)
    # Columns a search's bulk insert leaves out get their database defaults.
    node_id = models.CharField(max_length=100, blank=True, db_default="")
    full_name = models.CharField(max_length=200, db_index=True)
    # The name before GitHub last reported a rename (empty when never renamed).
    previous_full_name = models.CharField(max_length=200, blank=True, db_default="")
    stars = models.PositiveIntegerField(null=True, blank=True)
    forks = models.PositiveIntegerField(null=True, blank=True)
    language = models.CharField(max_length=100, blank=True, db_default="")
    license = models.CharField(max_length=100, blank=True, db_default="")
    created_on_github = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(db_default=False)
    is_fork = models.BooleanField(db_default=False)
    state = models.CharField(
        max_length=16, choices=RepositoryState.choices, db_default=RepositoryState.ACTIVE
    )
    details_read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "external repositories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["active", "deleted"]),
                name="external_repository_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class BoostUsage(models.Model):
    """One Boost header a repository includes, with the files and the line that show it.

    `library` is the header map's owner at `header_version` (null when the map does not
    place the header: never guessed).
    """

    repository_id: int
    library_id: int | None

    repository = models.ForeignKey(  # the unique constraint below leads with it
        ExternalRepository, on_delete=models.CASCADE, related_name="usages", db_index=False
    )
    header = models.CharField(max_length=300)
    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, null=True, blank=True, related_name="external_usages"
    )
    header_version = models.CharField(max_length=32, blank=True)
    file_paths = models.JSONField(default=list, blank=True)
    fragment = models.TextField(blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # Complete searches in a row that did not find it; `gone` once it reaches the setting.
    missed_searches = models.PositiveSmallIntegerField(default=0)
    gone = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["repository", "header"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "header"], name="boost_usage_unique"),
            models.CheckConstraint(
                condition=models.Q(header__startswith="boost/"), name="boost_usage_header_boost"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} includes {self.header}"


class VersionSource(models.TextChoices):
    CMAKE = "cmake", "CMake find_package"
    VCPKG = "vcpkg", "vcpkg.json"
    CONAN = "conan", "conanfile"
    VERSION_CHECK = "version_check", "BOOST_VERSION check"


class DetectedBoostVersion(models.Model):
    """A Boost version a repository's own files ask for, with the line that says so.

    `version` is as written (`1.70`, `1.83.0`); `constraint` says how (`>=` for a
    minimum, `==` for an exact pin, `` when the file gives a bare version).
    """

    repository_id: int

    repository = models.ForeignKey(  # the unique constraint below leads with it
        ExternalRepository, on_delete=models.CASCADE, related_name="boost_versions", db_index=False
    )
    source = models.CharField(max_length=16, choices=VersionSource.choices)
    file_path = models.CharField(max_length=500)
    version = models.CharField(max_length=32)
    constraint = models.CharField(max_length=8, blank=True)
    evidence = models.TextField()
    found_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["repository", "source", "file_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "source", "file_path"], name="detected_boost_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=["cmake", "vcpkg", "conan", "version_check"]),
                name="detected_boost_version_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id}: Boost {self.constraint}{self.version} ({self.source})"
