"""The release-detector hook and the per-group record of releases acted on.

A detector is a callable returning the newest release version it can see (or None).
The Boost catalogue collector registers one when it exists; until then nothing is
registered and on_release tasks never run by themselves (`--force` still runs them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from boost_collector_runner.models import DetectedRelease, ReleaseConsumption

logger = logging.getLogger(__name__)

ReleaseDetector = Callable[[], str | None]

_detectors: list[ReleaseDetector] = []


def register_release_detector(detector: ReleaseDetector) -> ReleaseDetector:
    """Add a detector (usable as a decorator); registering it twice has no effect."""
    if detector not in _detectors:
        _detectors.append(detector)
    return detector


def unregister_release_detector(detector: ReleaseDetector) -> None:
    """Remove a detector registered earlier (missing ones are ignored)."""
    if detector in _detectors:
        _detectors.remove(detector)


def detect_releases() -> list[DetectedRelease]:
    """Ask every detector for the newest release and record the versions they report.

    A detector's exception propagates: the caller fails the on_release tasks with it
    and leaves the other tasks alone.
    """
    found: list[DetectedRelease] = []
    for detector in list(_detectors):
        version = detector()
        if version:
            found.append(record_detected_release(version=version.strip()))
    return found


def record_detected_release(*, version: str) -> DetectedRelease:
    """Insert the release once; a re-detection keeps its first detection time."""
    release, _ = DetectedRelease.objects.get_or_create(
        version=version, defaults={"detected_at": timezone.now()}
    )
    return release


def new_release_for_group(*, group: str) -> DetectedRelease | None:
    """The newest recorded release when `group` has not acted on it yet, else None."""
    newest = DetectedRelease.objects.order_by("-detected_at", "-id").first()
    if newest is None or ReleaseConsumption.objects.filter(release=newest, group=group).exists():
        return None
    return newest


@transaction.atomic
def mark_release_consumed(*, release: DetectedRelease, group: str) -> ReleaseConsumption:
    """Record that `group` ran its on_release tasks for `release` (idempotent)."""
    consumption, _ = ReleaseConsumption.objects.get_or_create(
        release=release, group=group, defaults={"consumed_at": timezone.now()}
    )
    logger.info("release %s consumed by group %s", release.version, group)
    return consumption


def has_detectors() -> bool:
    return bool(_detectors)
