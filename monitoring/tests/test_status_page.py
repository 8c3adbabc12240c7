"""The status pages: login required, groups, latest runs, per-collector history."""

from __future__ import annotations

import pytest

from core import runs
from core.testing.ledger import record_batch

pytestmark = pytest.mark.django_db

ONE_DAILY_GROUP = """\
groups:
  github:
    default_time: "04:10"
    tasks:
      - command: run_x
        schedule: daily
"""


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_user(username="operator", password="pw-operator-1")
    client.force_login(user)
    return client


@pytest.fixture
def recorded_runs(settings, tmp_path):
    path = tmp_path / "schedule.yaml"
    path.write_text(ONE_DAILY_GROUP)
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(path)
    record_batch(group="github", tasks=[("github", "run_x", "succeeded")], hours_ago=30)
    with runs.run_context(trigger="schedule", group="github"):
        batch = runs.start_run(command="run_scheduled_collectors", kind="batch")
    with runs.run_context(trigger="schedule", group="github", parent_id=batch.pk):
        ok = runs.start_run(command="run_x", collector="x")
        runs.finish_run(
            run=ok, status="succeeded", exit_code=0, counters={"fetched": 120, "created": 15}
        )
        bad = runs.start_run(command="run_x", collector="x")
        runs.finish_run(
            run=bad,
            status="failed",
            exit_code=1,
            failure_category="rate_limit",
            error="403 rate limit exceeded",
        )
    runs.finish_run(run=batch, status="failed", exit_code=1, failure_category="rate_limit")
    return batch, ok, bad


def test_login_required(client) -> None:
    response = client.get("/status/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_root_redirects_to_status(client) -> None:
    assert client.get("/")["Location"] == "/status/"


def test_status_shows_groups_and_runs(operator, recorded_runs) -> None:
    _batch, _ok, bad = recorded_runs
    page = operator.get("/status/").content.decode()
    assert "github" in page
    assert '<span class="stale">stale</span>' in page
    assert "rate_limit" in page
    assert "403 rate limit exceeded" in page
    assert "120 fetched, 15 created" in page
    assert f"/admin/core/collectorrun/{bad.pk}/change/" in page
    assert "/status/collector/run_x/" in page


def test_collector_history_draws_charts(operator, recorded_runs) -> None:
    page = operator.get("/status/collector/run_x/").content.decode()
    assert page.count("<polyline") == 2
    assert "items fetched (max 120.00)" in page


def test_empty_ledger_says_so(operator, settings, tmp_path) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(tmp_path / "missing.yaml")
    page = operator.get("/status/").content.decode()
    assert "No runs recorded yet" in page


def test_a_batch_row_reads_like_its_summary_line(operator) -> None:
    record_batch(tasks=[("g", "run_a", "succeeded")], group="g")
    page = operator.get("/status/").content.decode()
    assert "1 task: 1 succeeded, 0 failed, 0 skipped" in page
    assert "1 tasks" not in page
