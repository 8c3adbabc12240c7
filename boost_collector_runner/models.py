"""Boost releases seen by the release detectors, and which groups have acted on each.

A release is consumed per group, not globally: the docs group that runs hours after
the github group must still see the release the github group already handled.
"""

from __future__ import annotations

from django.db import models


class DetectedRelease(models.Model):
    """A release version a detector reported, kept once."""

    version = models.CharField(max_length=100, unique=True)
    detected_at = models.DateTimeField()

    class Meta:
        ordering = ["-detected_at", "-id"]

    def __str__(self) -> str:
        return self.version


class ReleaseConsumption(models.Model):
    """A group's on_release tasks have run successfully for a release."""

    release = models.ForeignKey(  # the unique constraint below leads with it
        DetectedRelease, on_delete=models.CASCADE, related_name="consumptions", db_index=False
    )
    group = models.CharField(max_length=100)
    consumed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "group"], name="release_consumed_once_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.release.version} consumed by {self.group}"
