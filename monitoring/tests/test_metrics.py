"""/metrics parses as Prometheus text and moves after a run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from prometheus_client.parser import text_string_to_metric_families

from core import runs
from core.testing.ledger import record_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def metrics_token(settings) -> None:
    settings.HEALTH_CHECK_TOKEN = "tok"


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer tok")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_move_after_a_run(client) -> None:
    before = scrape(client)
    key = (
        "boost_collector_runs_total",
        (("command", "run_cppa_user_tracker"), ("status", "succeeded")),
    )
    assert key not in before
    call_command("run_cppa_user_tracker", stdout=StringIO())
    after = scrape(client)
    assert after[key] == 1
    call_command("run_cppa_user_tracker", stdout=StringIO())
    assert scrape(client)[key] == 2
    duration_key = (
        "boost_collector_last_run_duration_seconds",
        (("command", "run_cppa_user_tracker"), ("status", "succeeded")),
    )
    assert after[duration_key] >= 0
    assert (
        after[
            (
                "boost_collector_last_run_items",
                (("command", "run_cppa_user_tracker"), ("counter", "created")),
            )
        ]
        == 0
    )


def test_group_success_and_rate_limit_gauges(client, settings, tmp_path) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(tmp_path / "none.yaml")
    batch = record_batch(group="github", tasks=[("github", "run_cppa_user_tracker", "succeeded")])
    with runs.run_context(trigger="celery", group="github"):
        child = runs.start_run(command="run_github_activity_tracker", collector="github_activity")
    runs.finish_run(
        run=child,
        status="failed",
        exit_code=1,
        counters={"api_requests": 5, "rate_limit_remaining": 0},
    )
    samples = scrape(client)
    assert batch.finished_at is not None
    assert samples[
        ("boost_collector_group_last_success_timestamp_seconds", (("group", "github"),))
    ] == pytest.approx(batch.finished_at.timestamp())
    assert (
        samples[
            ("boost_collector_rate_limit_remaining", (("command", "run_github_activity_tracker"),))
        ]
        == 0
    )
    assert samples[("boost_collector_runs_in_progress", ())] == 0


def test_metrics_token(client) -> None:
    response = client.get("/metrics")
    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer tok").status_code == 200


@pytest.mark.parametrize(("debug", "status"), [(False, 403), (True, 200)])
def test_without_a_token_only_debug_serves_metrics(client, settings, debug, status) -> None:
    settings.HEALTH_CHECK_TOKEN = ""
    settings.DEBUG = debug
    response = client.get("/metrics")
    assert response.status_code == status
    if status == 403:
        assert response.content == (
            b"forbidden: set HEALTH_CHECK_TOKEN to serve /metrics with DEBUG=False\n"
        )
