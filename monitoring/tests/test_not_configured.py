"""A group whose daily tasks are all `enabled: false` (a source without its token yet) is
"not configured" on /health/ and the status page, never "stale"."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

SCHEDULE = """\
groups:
  github:
    default_time: "04:10"
    tasks:
      - command: run_cppa_user_tracker
        schedule: daily
  slack:
    default_time: "05:00"
    tasks:
      - command: run_cppa_slack_tracker
        schedule: daily
        enabled: false
"""
TOKEN = "s3cret-health-token"


@pytest.fixture
def schedule_file(tmp_path, settings):
    path = tmp_path / "schedule.yaml"
    path.write_text(SCHEDULE)
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(path)
    settings.HEALTH_CHECK_BROKER = False
    settings.HEALTH_CHECK_WORKERS = False
    settings.HEALTH_CHECK_TOKEN = TOKEN
    return path


@pytest.mark.django_db
def test_health_says_not_configured_for_a_disabled_daily_group(client, schedule_file) -> None:
    body = client.get("/health/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    groups = body["checks"]["collector_groups"]
    assert groups["slack"] == {"last_success_at": None, "stale": False, "status": "not configured"}
    assert groups["github"]["stale"] is True  # an enabled group is still judged


@pytest.mark.django_db
def test_the_status_page_says_not_configured(client, schedule_file) -> None:
    user = get_user_model().objects.create_user("operator", password="x")
    client.force_login(user)
    page = client.get("/status/").content.decode()
    assert "<td>slack</td>" in page
    assert "not configured" in page
