"""Celery Beat entries from the YAML, the Celery task, and strict/non-strict start-up."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from celery.schedules import crontab, schedule

from boost_collector_runner.beat import describe, get_beat_schedule
from boost_collector_runner.schedule import parse_schedule
from boost_collector_runner.tasks import run_scheduled_collectors_task
from boost_collector_runner.tests.conftest import (
    FIXTURES,
    ROOT,
    children,
    project_env,
    start_manage,
)
from core.models import CollectorRun

TEXT = """
groups:
  github:
    default_time: "04:10"
    tasks:
      - command: run_a
        schedule: daily
      - command: run_b
        schedule: interval
        minutes: 15
  reporting:
    default_time: "06:05"
    tasks:
      - command: run_c
        schedule: on_release
      - command: run_d
        schedule: interval
        minutes: 15
      - command: run_e
        schedule: interval
        minutes: 90
  pollers:
    default_time: "00:00"
    tasks:
      - command: run_f
        schedule: interval
        minutes: 5
      - command: run_g
        schedule: daily
        enabled: false
"""


def test_beat_entries_names_times_and_kwargs() -> None:
    entries = get_beat_schedule(parse_schedule(TEXT, path="s.yaml"))
    assert list(entries) == [
        "boost-collector-group-github-04-10",
        "boost-collector-group-reporting-06-05",
        "boost-collector-interval-5min",
        "boost-collector-interval-15min",
        "boost-collector-interval-90min",
    ]
    github = entries["boost-collector-group-github-04-10"]
    assert github["task"] == "boost_collector_runner.tasks.run_scheduled_collectors_task"
    assert github["schedule"] == crontab(hour="4", minute="10")
    assert github["kwargs"] == {"schedule_kind": "batch", "group_id": "github"}
    assert entries["boost-collector-group-reporting-06-05"]["schedule"] == crontab(
        hour="6", minute="5"
    )
    interval = entries["boost-collector-interval-90min"]
    assert interval["schedule"] == schedule(run_every=timedelta(minutes=90))
    assert interval["kwargs"] == {"schedule_kind": "interval", "interval_minutes": 90}


def test_startup_summary_line() -> None:
    parsed = parse_schedule(TEXT, path="s.yaml")
    assert describe(parsed, get_beat_schedule(parsed)) == (
        "schedule s.yaml: 3 groups (github, reporting, pollers), 6 enabled tasks; Beat entries: "
        "boost-collector-group-github-04-10, boost-collector-group-reporting-06-05, "
        "boost-collector-interval-5min, boost-collector-interval-15min, "
        "boost-collector-interval-90min"
    )


def test_settings_hold_the_real_schedule(settings) -> None:
    assert list(settings.CELERY_BEAT_SCHEDULE) == [
        "boost-collector-group-github-04-10",
        "boost-collector-group-people-05-45",
        "boost-collector-group-reporting-06-00",
    ]
    assert settings.CELERY_TASK_ACKS_LATE is True
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT


BROKEN = str(FIXTURES / "broken_schedules" / "minutes_zero.yaml")
PRINT_BEAT = "from django.conf import settings; print(sorted(settings.CELERY_BEAT_SCHEDULE))"


def test_strict_startup_fails_in_one_line_on_an_invalid_schedule() -> None:
    process = start_manage("check", BOOST_COLLECTOR_SCHEDULE_YAML=BROKEN, DEBUG="False")
    _, err = process.communicate(timeout=300)
    assert process.returncode == 1
    assert err.strip().splitlines() == [
        "Configuration error: boost_collector_runner/tests/fixtures/broken_schedules/"
        "minutes_zero.yaml:7: group 'github', task 1 (run_cppa_user_tracker): 'minutes' must be "
        "1-180, got 0"
    ]


def test_strict_startup_fails_on_a_missing_schedule() -> None:
    process = start_manage(
        "check",
        BOOST_COLLECTOR_SCHEDULE_YAML="/nonexistent/s.yaml",
        BOOST_COLLECTOR_SCHEDULE_STRICT="true",
    )
    _, err = process.communicate(timeout=300)
    assert process.returncode == 1
    assert err.strip() == (
        "Configuration error: /nonexistent/s.yaml: schedule file not found; create it (see "
        "config/boost_collector_schedule.yaml.example) or set BOOST_COLLECTOR_SCHEDULE_YAML"
    )


def test_non_strict_startup_gives_an_empty_beat_schedule() -> None:
    process = start_manage("shell", "-c", PRINT_BEAT, BOOST_COLLECTOR_SCHEDULE_YAML=BROKEN)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert out.strip().splitlines()[-1] == "[]"


@pytest.mark.django_db
def test_task_runs_the_command_with_the_celery_trigger(schedule_file) -> None:
    schedule_file(
        'groups:\n  alpha:\n    default_time: "03:00"\n    tasks:\n'
        "      - command: run_test_ok\n        schedule: interval\n        minutes: 5\n"
    )
    run_scheduled_collectors_task.apply(
        kwargs={"schedule_kind": "interval", "interval_minutes": 5}
    ).get()
    batch = CollectorRun.objects.get(kind="batch")
    assert (batch.trigger, batch.status, children(batch).get().trigger) == (
        "celery",
        "succeeded",
        "celery",
    )
    result = run_scheduled_collectors_task.apply(
        kwargs={"schedule_kind": "batch", "group_id": "nope"}
    )
    assert result.failed()


def test_worker_and_beat_log_the_schedule_at_start(settings, caplog, schedule_file) -> None:
    from config.celery import log_schedule_summary

    caplog.set_level("INFO", logger="config.celery")
    path = schedule_file(TEXT)
    log_schedule_summary()
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = BROKEN
    log_schedule_summary()
    assert [record.getMessage() for record in caplog.records] == [
        f"schedule {path}: 3 groups (github, reporting, pollers), 6 enabled tasks; Beat "
        "entries: boost-collector-group-github-04-10, boost-collector-group-reporting-06-05, "
        "boost-collector-interval-5min, boost-collector-interval-15min, "
        "boost-collector-interval-90min",
        "boost_collector_runner/tests/fixtures/broken_schedules/minutes_zero.yaml:7: group "
        "'github', task 1 (run_cppa_user_tracker): 'minutes' must be 1-180, got 0; Celery Beat "
        "has no schedule entries",
    ]


def test_beat_keeps_its_state_under_var_however_it_is_started(tmp_path) -> None:
    """`celery -A config beat` (not only `make beat`) writes its state file to the
    setting's folder, creating it, and nothing into the repository root."""
    root_before = set(ROOT.iterdir())
    state = tmp_path / "var" / "beat" / "celerybeat-schedule"
    env = project_env(CELERY_BROKER_URL="memory://", CELERY_BEAT_SCHEDULE_FILENAME=str(state))
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not list(state.parent.glob("celerybeat-schedule*")):
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "Beat wrote no state file"
            time.sleep(0.1)
    finally:
        process.terminate()
        process.communicate(timeout=60)
    assert set(ROOT.iterdir()) == root_before


def test_beat_state_defaults_to_var(settings) -> None:
    assert str(ROOT / "var" / "celerybeat-schedule") == settings.CELERY_BEAT_SCHEDULE_FILENAME
