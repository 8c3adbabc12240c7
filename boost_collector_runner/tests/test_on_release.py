"""on_release: the detector hook, failures confined to on_release tasks, once per group."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management.base import CommandError

from boost_collector_runner import releases
from boost_collector_runner.models import ReleaseConsumption
from boost_collector_runner.tests.conftest import run_command
from core.models import CollectorRun

pytestmark = pytest.mark.django_db

SCHEDULE = """
groups:
  github:
    default_time: "04:10"
    tasks:
      - command: run_test_ok
        schedule: daily
      - command: run_test_ok
        schedule: on_release
        args: ["--sleep", "0"]
  docs:
    default_time: "09:00"
    tasks:
      - command: run_test_ok
        schedule: on_release
"""


class Detector:
    """A test release detector: returns `version`, or raises `error`."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.error: Exception | None = None
        self.calls = 0

    def __call__(self) -> str | None:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.version


@pytest.fixture
def detector() -> Iterator[Detector]:
    found = Detector()
    releases.register_release_detector(found)
    yield found
    releases.unregister_release_detector(found)


def batch(group: str) -> str:
    return run_command("run_scheduled_collectors", "--batch", "--group", group)


def test_no_new_release_runs_only_the_daily_tasks(schedule_file, detector) -> None:
    schedule_file(SCHEDULE)
    out = batch("github")
    assert "group 'github': no new release, its on_release tasks do not run" in out
    assert "1 task: 1 succeeded" in out
    assert detector.calls == 1


def test_a_daily_run_of_a_group_is_its_batch(schedule_file, detector) -> None:
    """The seed: `--schedule daily --group github` runs the group "same as Beat would batch"."""
    schedule_file(SCHEDULE)
    detector.version = "1.90.0"
    daily = ("run_scheduled_collectors", "--schedule", "daily", "--group", "github")
    assert "2 tasks: 2 succeeded" in run_command(*daily)
    out = run_command(*daily)
    assert "group 'github': no new release, its on_release tasks do not run" in out
    assert "1 task: 1 succeeded" in out
    assert "2 tasks: 2 succeeded" in run_command(*daily, "--force")


def test_the_daily_schedule_checks_every_group_once(schedule_file, detector) -> None:
    schedule_file(SCHEDULE)
    detector.version = "1.90.0"
    assert "3 tasks: 3 succeeded" in run_command("run_scheduled_collectors", "--schedule", "daily")
    assert detector.calls == 1
    assert ReleaseConsumption.objects.count() == 2


def test_weekly_runs_never_ask_the_detector(schedule_file, detector) -> None:
    schedule_file(SCHEDULE)
    detector.version = "1.90.0"
    assert "0 tasks" in run_command("run_scheduled_collectors", "--schedule", "weekly")
    assert detector.calls == 0


def test_detector_is_not_asked_when_the_group_has_no_on_release_tasks(
    schedule_file, detector
) -> None:
    schedule_file(
        SCHEDULE.replace("schedule: on_release\n        args", "schedule: daily\n        args")
    )
    detector.version = "1.90.0"
    batch("github")
    assert detector.calls == 0


def test_release_is_seen_once_by_each_group(schedule_file, detector) -> None:
    schedule_file(SCHEDULE)
    detector.version = "1.90.0"
    assert "2 tasks: 2 succeeded" in batch("github")
    assert "1 task: 1 succeeded" in batch("github")  # consumed by github
    assert "1 task: 1 succeeded" in batch("docs")  # docs still sees it
    assert "0 tasks" in batch("docs")
    assert set(ReleaseConsumption.objects.values_list("group", "release__version")) == {
        ("github", "1.90.0"),
        ("docs", "1.90.0"),
    }


def test_failing_check_fails_only_the_on_release_tasks(schedule_file, detector) -> None:
    schedule_file(SCHEDULE)
    detector.error = ConnectionError("catalogue unreachable")
    with pytest.raises(CommandError) as caught:
        batch("github")
    assert "2 tasks: 1 succeeded, 1 failed (run_test_ok: network)" in str(caught.value)
    rows = CollectorRun.objects.filter(kind="collector").order_by("id")
    assert [(r.status, r.error_summary) for r in rows] == [
        ("succeeded", ""),
        ("failed", "release check failed: ConnectionError: catalogue unreachable"),
    ]


def test_schedule_on_release_runs_with_force_without_a_release(schedule_file) -> None:
    schedule_file(SCHEDULE)
    out = run_command("run_scheduled_collectors", "--schedule", "on_release")
    assert "no release detector is registered" in out
    assert "0 tasks" in out
    out = run_command("run_scheduled_collectors", "--schedule", "on_release", "--force")
    assert "2 tasks: 2 succeeded" in out


def test_detector_registration_is_idempotent(detector) -> None:
    releases.register_release_detector(detector)
    detector.version = " 1.91.0 "
    assert [r.version for r in releases.detect_releases()] == ["1.91.0"]
    assert (
        str(
            releases.mark_release_consumed(
                release=releases.record_detected_release(version="1.91.0"), group="g"
            )
        )
        == "1.91.0 consumed by g"
    )
