"""/health/: freshness per daily group, token, and failing dependencies as 503."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.models import CollectorRun
from core.testing.ledger import record_batch
from monitoring import health

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-health-token"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}

SCHEDULE = """\
groups:
  github:
    default_time: "04:10"
    tasks:
      - command: run_cppa_user_tracker
        schedule: daily
  docs:
    default_time: "06:00"
    tasks:
      - command: run_cppa_user_tracker
        schedule: daily
  weekly_only:
    default_time: "07:00"
    tasks:
      - command: run_cppa_user_tracker
        schedule: weekly
        "on": monday
"""


@pytest.fixture
def schedule_file(tmp_path, settings):
    path = tmp_path / "schedule.yaml"
    path.write_text(SCHEDULE)
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(path)
    settings.HEALTH_CHECK_BROKER = False
    settings.HEALTH_CHECK_WORKERS = False
    settings.HEALTH_CHECK_TOKEN = TOKEN
    return path


def succeed_batch(group: str, *, hours_ago: float = 0) -> CollectorRun:
    """A group batch, as Beat runs it, whose one task succeeded."""
    return record_batch(
        group=group, tasks=[(group, "run_cppa_user_tracker", "succeeded")], hours_ago=hours_ago
    )


def get_health(client, headers=BEARER):
    """Status and body of /health/ as the token's holder sees it (the full report)."""
    response = client.get("/health/", **headers)
    return response.status_code, response.json()


@pytest.mark.django_db
def test_empty_ledger_is_unhealthy_with_enforcement(client, schedule_file) -> None:
    status, body = get_health(client)
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["collector_groups"] == {
        "github": {"last_success_at": None, "stale": True},
        "docs": {"last_success_at": None, "stale": True},
    }


@pytest.mark.django_db
def test_healthy_after_each_daily_group_succeeded(client, schedule_file) -> None:
    succeed_batch("github")
    assert get_health(client)[0] == 503  # docs has not run yet
    succeed_batch("docs")
    status, body = get_health(client)
    assert status == 200
    assert body["status"] == "healthy"
    assert body["checks"]["collector_groups"]["docs"]["stale"] is False
    assert body["checks"]["broker"] == {"ok": True, "skipped": True}


@pytest.mark.django_db
def test_failed_batch_does_not_count_as_fresh(client, schedule_file) -> None:
    succeed_batch("github")
    record_batch(group="docs", tasks=[("docs", "run_cppa_user_tracker", "failed")])
    assert get_health(client)[1]["checks"]["collector_groups"]["docs"]["stale"] is True


@pytest.mark.django_db
def test_an_all_groups_run_counts_for_each_group_whose_tasks_succeeded(
    client, schedule_file
) -> None:
    # `run_scheduled_collectors --schedule daily` (what `make run` does): one batch, no group.
    record_batch(
        tasks=[("github", "run_a", "succeeded"), ("docs", "run_b", "failed")],
    )
    groups = get_health(client)[1]["checks"]["collector_groups"]
    assert groups["github"]["stale"] is False
    assert groups["docs"]["stale"] is True
    record_batch(tasks=[("github", "run_a", "succeeded"), ("docs", "run_b", "succeeded")])
    assert get_health(client)[0] == 200


@pytest.mark.django_db
def test_enforcement_off_is_healthy_with_empty_ledger(client, schedule_file, settings) -> None:
    settings.HEALTH_ENFORCE_COLLECTOR_FRESHNESS = False
    status, body = get_health(client)
    assert status == 200
    assert body["checks"]["collector_groups"]["github"]["stale"] is True


@pytest.mark.django_db
def test_group_goes_stale_after_the_window(client, schedule_file, settings) -> None:
    succeed_batch("github", hours_ago=27)
    succeed_batch("docs", hours_ago=25)
    body = get_health(client)[1]
    assert body["checks"]["collector_groups"]["github"]["stale"] is True
    assert body["checks"]["collector_groups"]["docs"]["stale"] is False
    settings.HEALTH_COLLECTOR_STALE_HOURS = 30
    assert get_health(client)[0] == 200


@pytest.mark.django_db
def test_anonymous_callers_see_only_names_and_states(client, schedule_file, settings) -> None:
    settings.HEALTH_CHECK_BROKER = True
    settings.CELERY_BROKER_URL = "redis://broker.internal.example:1/0"
    status, body = get_health(client, headers={})
    assert status == 503
    assert body == {
        "status": "unhealthy",
        "checks": {
            "database": {"ok": True},
            "broker": {"ok": False},
            "workers": {"ok": True},
            "collector_groups": {"ok": False},
        },
    }
    full = get_health(client)[1]
    assert "broker.internal.example" in full["checks"]["broker"]["detail"]


@pytest.mark.django_db
def test_a_wrong_token_is_refused(client, schedule_file) -> None:
    response = client.get("/health/", HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert get_health(client)[1]["checks"]["collector_groups"]["github"]["stale"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(("debug", "full"), [(False, False), (True, True)])
def test_without_a_token_only_debug_shows_details(
    client, schedule_file, settings, debug, full
) -> None:
    settings.HEALTH_CHECK_TOKEN = ""
    settings.DEBUG = debug
    checks = get_health(client, headers=BEARER)[1]["checks"]
    assert ("github" in checks["collector_groups"]) is full


@pytest.mark.django_db
def test_fresh_groups_read_ok_to_anonymous_callers(client, schedule_file) -> None:
    succeed_batch("github")
    succeed_batch("docs")
    assert get_health(client, headers={}) == (
        200,
        {
            "status": "healthy",
            "checks": {
                "database": {"ok": True},
                "broker": {"ok": True},
                "workers": {"ok": True},
                "collector_groups": {"ok": True},
            },
        },
    )


@pytest.mark.django_db
def test_invalid_schedule_is_reported_not_raised(client, schedule_file, settings) -> None:
    schedule_file.write_text("groups:\n  github:\n    default_time: 04:10\n    tasks: []\n")
    status, body = get_health(client)
    assert status == 503
    assert body["checks"]["schedule"]["error"] == "schedule_invalid"


@pytest.mark.django_db
def test_broker_unreachable_is_an_error_code(client, schedule_file, settings) -> None:
    settings.HEALTH_CHECK_BROKER = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    status, body = get_health(client)
    assert status == 503
    assert body["checks"]["broker"]["error"] == "broker_unreachable"


def test_worker_check_reports_missing_and_failing_workers(settings) -> None:
    settings.HEALTH_CHECK_WORKERS = True
    settings.HEALTH_WORKER_TIMEOUT_SECONDS = 1
    assert health.check_workers(lambda timeout: [])["error"] == "no_workers"
    assert health.check_workers(lambda timeout: [{"celery@a": {"ok": "pong"}}]) == {
        "ok": True,
        "count": 1,
    }

    def broken(timeout: float) -> list:
        raise ConnectionRefusedError(111, "Connection refused")

    assert health.check_workers(broken)["error"] == "workers_unreachable"


OUTAGE_CLIENT = """
import django, json
django.setup()
from django.test import Client
for path, headers in (
    ("/health/", {}),
    ("/health/", {"HTTP_AUTHORIZATION": "Bearer tok"}),
    ("/metrics", {"HTTP_AUTHORIZATION": "Bearer tok"}),
):
    response = Client().get(path, **headers)
    body = response.json() if path == "/health/" else response.content.decode()
    print(json.dumps([path, response.status_code, body]))
"""


def test_database_outage_answers_503_never_500() -> None:
    """A real outage (nothing listens on port 1); the test client re-raises any 500."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "HEALTH_CHECK_BROKER": "false",
        "HEALTH_CHECK_WORKERS": "false",
        "HEALTH_CHECK_TOKEN": "tok",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE_CLIENT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    anonymous, full, metrics = (json.loads(line) for line in result.stdout.splitlines())
    assert anonymous == [
        "/health/",
        503,
        {
            "status": "unhealthy",
            "checks": {"database": {"ok": False}, "broker": {"ok": True}, "workers": {"ok": True}},
        },
    ]
    assert full[1] == 503
    assert full[2]["checks"]["database"]["error"] == "database_unavailable"
    assert "collector_groups" not in full[2]["checks"]
    assert metrics == ["/metrics", 503, "database unavailable\n"]
