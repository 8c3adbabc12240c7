"""Seed 001's `reporting` group, pasted verbatim (its unquoted `on: 3` too), loads and runs."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from boost_collector_runner.schedule import load_schedule
from boost_library_tracker.testing import github_routes as catalogue_routes
from core.models import CollectorRun
from core.testing.fixture_server import point_github_at
from reports.models import Export, ReleaseSummary, Report

TOKEN = "ghp_" + "Cafe4321" * 5

SEED_REPORTING_GROUP = """\
groups:
  reporting:
    default_time: "06:00"
    tasks:
      - command: run_monthly_report
        schedule: monthly
        on: 3
      - command: run_on_release_sync
        schedule: on_release
      - command: run_export
        schedule: daily
        args: ["--format", "json"]
"""


def batch(*args: str) -> str:
    out = StringIO()
    call_command("run_scheduled_collectors", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def task_runs() -> list[tuple[str, str]]:
    return list(
        CollectorRun.objects.filter(kind="collector", parent__isnull=False)
        .order_by("id")
        .values_list("command", "status")
    )


def test_the_seed_reporting_group_loads_and_runs(db, settings, fixture_server, tmp_path) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_text(SEED_REPORTING_GROUP, encoding="utf-8")
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(path)
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    catalogue_routes.add_gitmodules(fixture_server, "boost-1.86.0")
    catalogue_routes.add_release_list(fixture_server)
    catalogue_routes.queue_new_release_batch(fixture_server)

    group = load_schedule(path).group("reporting")
    assert group is not None
    assert [task.command for task in group.tasks] == [
        "run_monthly_report",
        "run_on_release_sync",
        "run_export",
    ]

    # The daily batch: the release is new, so run_on_release_sync runs (and re-collects
    # the release's catalogue, a run of its own in the batch), then the export.
    batch("--schedule", "daily", "--group", "reporting")
    assert task_runs() == [
        ("run_on_release_sync", "succeeded"),
        ("run_boost_library_tracker", "succeeded"),
        ("run_export", "succeeded"),
    ]
    assert ReleaseSummary.objects.get().version == "boost-1.86.0"
    assert Export.objects.get().format == "json"

    # The 3rd of the month: the monthly report.
    batch("--schedule", "monthly", "--day-of-month", "3", "--group", "reporting")
    assert task_runs()[-1] == ("run_monthly_report", "succeeded")
    assert Report.objects.get().format == "html"
