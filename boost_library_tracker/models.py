"""The Boost catalogue: releases, libraries, categories and what each library said per release.

A library's metadata (`meta/libraries.json`) changes between releases, so everything
read from it lives on `LibraryVersion` (one row per library per release) rather than
on `Library`, which holds only what identifies the library. Authors and maintainers
are ordered links to `cppa_user_tracker.GitIdentity` (name + email as the file wrote
them), so the people app can later tie them to persons and GitHub accounts.
"""

from __future__ import annotations

from django.db import models

from cppa_user_tracker.models import GitIdentity


class BoostVersion(models.Model):
    """A stable Boost release (`boost-X.Y.Z` tag); betas and release candidates are not kept."""

    name = models.CharField(max_length=32, unique=True)
    major = models.PositiveSmallIntegerField()
    minor = models.PositiveSmallIntegerField()
    patch = models.PositiveSmallIntegerField()
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Boost version"
        ordering = ["major", "minor", "patch"]
        constraints = [
            models.UniqueConstraint(
                fields=["major", "minor", "patch"], name="boost_version_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(name__regex=r"^boost-[0-9]+\.[0-9]+\.[0-9]+$"),
                name="boost_version_name_stable_tag",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Library(models.Model):
    """A Boost library, keyed as `libraries.json` keys it (`algorithm/minmax`)."""

    key = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    # The boostorg repository and superproject directory: several libraries may share them.
    repo_name = models.CharField(max_length=100, db_index=True)
    superproject_path = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name_plural = "libraries"

    def __str__(self) -> str:
        return self.key


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class LibraryVersion(models.Model):
    """What a library's `libraries.json` said at one Boost release."""

    library_id: int
    version_id: int

    library = models.ForeignKey(  # the unique constraint below leads with it
        Library, on_delete=models.CASCADE, related_name="versions", db_index=False
    )
    version = models.ForeignKey(
        BoostVersion, on_delete=models.CASCADE, related_name="library_versions"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    documentation = models.CharField(max_length=500, blank=True)
    cxxstd = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=32, blank=True)
    # `boost-version` in the file: the release the library first shipped in.
    first_boost_version = models.CharField(max_length=16, blank=True)
    std = models.JSONField(default=list, blank=True)
    modules = models.BooleanField(default=False)
    categories = models.ManyToManyField(
        Category, through="LibraryVersionCategory", related_name="library_versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["library", "version"]
        constraints = [
            models.UniqueConstraint(fields=["library", "version"], name="library_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.library_id}@{self.version_id}"


class LibraryVersionCategory(models.Model):
    library_version_id: int
    category_id: int

    library_version = models.ForeignKey(  # the unique constraint below leads with it
        LibraryVersion, on_delete=models.CASCADE, related_name="category_links", db_index=False
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT)

    class Meta:
        verbose_name_plural = "library version categories"
        constraints = [
            models.UniqueConstraint(
                fields=["library_version", "category"], name="library_version_category_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.library_version_id} in category {self.category_id}"


class CreditRole(models.TextChoices):
    AUTHOR = "author", "Author"
    MAINTAINER = "maintainer", "Maintainer"


class LibraryVersionPerson(models.Model):
    """An author or maintainer of a library at a release, in the file's order."""

    library_version_id: int

    library_version = models.ForeignKey(  # the unique constraint below leads with it
        LibraryVersion, on_delete=models.CASCADE, related_name="people", db_index=False
    )
    role = models.CharField(max_length=16, choices=CreditRole.choices)
    position = models.PositiveSmallIntegerField()
    identity = models.ForeignKey(
        GitIdentity, on_delete=models.PROTECT, related_name="boost_library_credits"
    )

    class Meta:
        verbose_name_plural = "library version people"
        ordering = ["library_version", "role", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["library_version", "role", "position"],
                name="library_version_person_slot_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["author", "maintainer"]),
                name="library_version_person_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} #{self.position} of {self.library_version_id}"


class LibraryHeader(models.Model):
    """A header a library ships at one release (`boost/asio/ip/tcp.hpp` → asio).

    Read from each library repository's `include/boost/` tree at the release tag, so
    it answers "which library owns this header" for that release exactly: umbrella
    headers (`boost/asio.hpp`) and headers of nested libraries
    (`boost/numeric/conversion/cast.hpp`) are rows like any other.
    """

    version_id: int
    library_id: int

    version = models.ForeignKey(  # the unique constraint below leads with it
        BoostVersion, on_delete=models.CASCADE, related_name="headers", db_index=False
    )
    path = models.CharField(max_length=300)
    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="headers")

    class Meta:
        ordering = ["version", "path"]
        constraints = [
            models.UniqueConstraint(fields=["version", "path"], name="library_header_unique"),
        ]

    def __str__(self) -> str:
        return self.path
