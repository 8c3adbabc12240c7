"""run_scheduled_collectors end to end with real test collectors on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from django.core.management.base import CommandError

from boost_collector_runner.tests.conftest import ROOT, children, run_command, start_manage
from core.locks import AdvisoryLock
from core.models import CollectorRun

pytestmark = pytest.mark.django_db

MIXED = """
groups:
  alpha:
    default_time: "03:00"
    tasks:
      - command: run_test_ok
        schedule: daily
      - command: run_test_fail
        schedule: daily
      - command: run_test_command_error
        schedule: daily
      - command: run_test_crash
        schedule: daily
      - command: run_test_ok
        schedule: daily
        args: ["--sleep", "0"]
  beta:
    default_time: "05:00"
    tasks:
      - command: run_test_ok
        schedule: weekly
        "on": mon
      - command: run_test_ok
        schedule: interval
        minutes: 15
"""

OK_ONLY = """
groups:
  alpha:
    default_time: "03:00"
    tasks:
      - command: run_test_ok
        schedule: daily
      - command: run_test_ok
        schedule: monthly
        "on": 31
"""


def batch_row() -> CollectorRun:
    return CollectorRun.objects.get(kind="batch")


def test_all_succeed_exit_zero_and_ledger_has_batch_with_children(schedule_file) -> None:
    schedule_file(OK_ONLY)
    out = run_command("run_scheduled_collectors", "--schedule", "daily")
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("1 task: 1 succeeded, 0 failed, 0 skipped in ")
    batch = batch_row()
    assert (batch.status, batch.exit_code, batch.command, batch.collector) == (
        "succeeded",
        0,
        "run_scheduled_collectors",
        "daily batch",
    )
    child = children(batch).get()
    assert (child.command, child.status, child.group, child.kind) == (
        "run_test_ok",
        "succeeded",
        "alpha",
        "collector",
    )
    assert batch.counters == {"tasks": 1, "succeeded": 1, "failed": 0, "skipped": 0}


def test_failures_do_not_stop_the_rest_and_exit_with_first_code(schedule_file) -> None:
    schedule_file(MIXED)
    with pytest.raises(CommandError) as caught:
        run_command("run_scheduled_collectors", "--schedule", "daily", "--group", "alpha")
    message = str(caught.value)
    assert message.startswith(
        "5 tasks: 2 succeeded, 3 failed (run_test_fail: rate_limit, run_test_command_error: "
        "command, run_test_crash: unknown), 0 skipped in "
    )
    assert caught.value.returncode == 1
    batch = batch_row()
    assert (batch.status, batch.group, batch.failure_category) == ("failed", "alpha", "rate_limit")
    rows = list(children(batch).values_list("command", "status", "exit_code"))
    assert rows == [
        ("run_test_ok", "succeeded", 0),
        ("run_test_fail", "failed", 1),
        ("run_test_command_error", "failed", 3),
        ("run_test_crash", "failed", 1),
        ("run_test_ok", "succeeded", 0),
    ]
    crash = children(batch).get(command="run_test_crash")
    assert crash.error_summary == "RuntimeError: unexpected state in test command"


def test_command_error_code_is_the_exit_code(schedule_file) -> None:
    schedule_file(MIXED.replace("run_test_fail\n", "run_test_fail\n        enabled: false\n"))
    with pytest.raises(CommandError) as caught:
        run_command("run_scheduled_collectors", "--schedule", "daily")
    assert caught.value.returncode == 3


def test_stop_on_failure_skips_the_rest_with_a_reason(schedule_file) -> None:
    schedule_file(MIXED)
    with pytest.raises(CommandError) as caught:
        run_command("run_scheduled_collectors", "--schedule", "daily", "--stop-on-failure")
    assert "5 tasks: 1 succeeded, 1 failed (run_test_fail: rate_limit), 3 skipped" in str(
        caught.value
    )
    skipped = children(batch_row()).filter(status="skipped").order_by("id")
    assert [row.command for row in skipped] == [
        "run_test_command_error",
        "run_test_crash",
        "run_test_ok",
    ]
    assert {row.error_summary for row in skipped} == {
        "not run: --stop-on-failure after run_test_fail failed"
    }


def test_weekly_monthly_interval_kinds_run_their_tasks(schedule_file) -> None:
    schedule_file(MIXED)
    out = run_command("run_scheduled_collectors", "--schedule", "weekly", "--day-of-week", "monday")
    assert "1 task: 1 succeeded" in out
    out = run_command(
        "run_scheduled_collectors", "--schedule", "interval", "--interval-minutes", "15"
    )
    assert "1 task: 1 succeeded" in out
    schedule_file(OK_ONLY)
    out = run_command("run_scheduled_collectors", "--schedule", "monthly", "--date", "2025-02-28")
    assert "1 task: 1 succeeded" in out
    groups = set(CollectorRun.objects.filter(kind="collector").values_list("group", flat=True))
    assert groups == {"alpha", "beta"}


def test_group_batch_runs_what_is_due_that_day(schedule_file) -> None:
    schedule_file(OK_ONLY)
    out = run_command(
        "run_scheduled_collectors", "--batch", "--group", "alpha", "--date", "2025-04-30"
    )
    assert "2 tasks: 2 succeeded" in out
    assert batch_row().collector == "group batch"


def test_unknown_group_is_an_error(schedule_file) -> None:
    schedule_file(OK_ONLY)
    with pytest.raises(CommandError, match="unknown group 'nope'"):
        run_command("run_scheduled_collectors", "--schedule", "daily", "--group", "nope")
    assert not CollectorRun.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --schedule KIND, --batch or --list"),
        (
            ["--schedule", "daily", "--day-of-week", "mon"],
            "--day-of-week applies only to --schedule weekly",
        ),
        (
            ["--schedule", "weekly", "--day-of-month", "3"],
            "--day-of-month applies only to --schedule monthly",
        ),
        (
            ["--schedule", "daily", "--interval-minutes", "5"],
            "--interval-minutes applies only to --schedule interval",
        ),
        (
            ["--schedule", "weekly", "--force"],
            "--force applies only to --schedule daily, --schedule on_release and --batch",
        ),
        (["--schedule", "weekly", "--day-of-week", "funday"], "must be a weekday"),
        (["--schedule", "monthly", "--day-of-month", "32"], "must be 1-31, got 32"),
        (["--schedule", "interval", "--interval-minutes", "x"], "must be a whole number 1-180"),
        (["--schedule", "daily", "--date", "2025-13-01"], "must be a date YYYY-MM-DD"),
    ],
)
def test_bad_flags_are_named(schedule_file, args, message) -> None:
    schedule_file(OK_ONLY)
    with pytest.raises(CommandError, match=message.replace("-", r"\-")):
        run_command("run_scheduled_collectors", *args)


def test_list_shows_tasks_and_next_runs_and_runs_nothing(schedule_file) -> None:
    schedule_file(MIXED)
    out = run_command(
        "run_scheduled_collectors", "--list", "--group", "beta", "--date", "2025-06-03"
    )
    assert out.splitlines() == [
        "group 'beta' at 05:00 UTC:",
        "  1. run_test_ok [weekly on monday] next: 2025-06-09 05:00 UTC",
        "  2. run_test_ok [interval every 15 min] next: every 15 min (Beat entry "
        "boost-collector-interval-15min)",
    ]
    out = run_command(
        "run_scheduled_collectors", "--schedule", "daily", "--dry-run", "--date", "2025-06-03"
    )
    assert "  5. run_test_ok --sleep 0 [daily] next: 2025-06-03 03:00 UTC" in out
    assert not CollectorRun.objects.exists()


def test_duplicate_batch_is_recorded_skipped_and_runs_nothing(schedule_file) -> None:
    schedule_file(OK_ONLY)
    with AdvisoryLock("batch:batch:alpha") as held:
        assert held.acquire()
        out = run_command("run_scheduled_collectors", "--batch", "--group", "alpha")
    assert (
        out.strip() == "group batch: skipped, the same batch (batch:batch:alpha) is already running"
    )
    batch = batch_row()
    assert (batch.status, batch.exit_code) == ("skipped", 0)
    assert not children(batch).exists()


def test_a_task_skipped_for_its_lock_is_never_a_success(schedule_file) -> None:
    """Another run of run_test_ok holds its lock: this batch did not do that work."""
    schedule_file(OK_ONLY)
    with AdvisoryLock("command:run_test_ok") as held:
        assert held.acquire()
        with pytest.raises(CommandError) as caught:
            run_command("run_scheduled_collectors", "--schedule", "daily")
    assert caught.value.returncode == 75
    assert str(caught.value).startswith(
        "1 task: 0 succeeded, 0 failed, 1 skipped (run_test_ok: another run in progress) in "
    )
    batch = batch_row()
    assert (batch.status, batch.exit_code, batch.failure_category) == ("failed", 75, "locked")
    assert batch.counters == {"tasks": 1, "succeeded": 0, "failed": 0, "skipped": 1}
    [task] = children(batch)
    assert (task.status, task.exit_code) == ("skipped", 0)
    assert task.error_summary.startswith("another run of run_test_ok is in progress")


def test_unreachable_database_fails_fast_in_one_line() -> None:
    process = start_manage(
        "run_scheduled_collectors",
        "--schedule",
        "daily",
        DATABASE_URL="postgres://postgres@127.0.0.1:9/nothing",
    )
    _, err = process.communicate(timeout=300)
    assert process.returncode == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(
        "CommandError: run_scheduled_collectors: the database is unavailable ("
    )
    assert "Traceback" not in err


def test_check_schedule_lists_the_real_schedule() -> None:
    out = run_command("check_schedule", "--strict")
    assert "  1. run_cppa_user_tracker [daily] next: " in out
    assert "  2. run_github_activity_tracker [daily] next: " in out
    groups = yaml.safe_load((ROOT / "config" / "boost_collector_schedule.yaml").read_text())[
        "groups"
    ]
    tasks = [task for group in groups.values() for task in group["tasks"]]
    enabled = sum(task.get("enabled", True) for task in tasks)
    assert out.strip().endswith(
        f"config/boost_collector_schedule.yaml: OK, {len(groups)} groups, {len(tasks)} tasks "
        f"({enabled} enabled)"
    )


def test_real_schedule_daily_run(settings, fixture_server) -> None:
    # The loopback server knows no repository: it is recorded as deleted, not fatal.
    settings.GITHUB_API_URL = fixture_server.base_url
    settings.GITHUB_ACTIVITY_REPOS = ["boostorg/not-served"]
    out = run_command(
        "run_scheduled_collectors", "--schedule", "daily", "--date", date.today().isoformat()
    )
    # people, github activity, and the reporting group's export (no release detector here)
    assert "3 tasks: 3 succeeded, 0 failed, 0 skipped" in out


def test_real_schedule_without_network_fails_in_one_line(settings) -> None:
    settings.GITHUB_API_URL = "http://127.0.0.1:9"  # the discard port: connection refused
    settings.GITHUB_ACTIVITY_REPOS = ["boostorg/boost"]
    settings.HTTP_MAX_ATTEMPTS = 1
    with pytest.raises(CommandError) as caught:
        run_command("run_scheduled_collectors", "--schedule", "daily")
    assert "3 tasks: 2 succeeded, 1 failed (run_github_activity_tracker: network)" in str(
        caught.value
    )
    failed = CollectorRun.objects.get(command="run_github_activity_tracker")
    assert failed.error_summary.startswith("NoNetworkError: no network access to 127.0.0.1 — ")


def test_a_group_run_says_how_many_tasks_are_disabled(schedule_file) -> None:
    schedule_file(
        OK_ONLY
        + "      - command: run_test_fail\n        schedule: daily\n        enabled: false\n"
    )
    out = run_command("run_scheduled_collectors", "--batch", "--group", "alpha")
    assert "1 task: 1 succeeded, 0 failed, 0 skipped, 1 disabled in " in out
    monthly = run_command(
        "run_scheduled_collectors", "--schedule", "monthly", "--day-of-month", "5"
    )
    assert "0 tasks: 0 succeeded, 0 failed, 0 skipped in " in monthly  # none of its kind
