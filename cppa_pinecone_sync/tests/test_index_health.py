"""Index lag and retry list, as /health/ and the status page show them."""

from __future__ import annotations

import pytest

from cppa_pinecone_sync import services
from cppa_pinecone_sync.tests.conftest import doc_id, issue_item, recorded_issue, store, sync

pytestmark = pytest.mark.django_db

TOKEN = "index-health-token"


@pytest.fixture
def health(client, settings, tmp_path):
    settings.HEALTH_CHECK_TOKEN = TOKEN
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(tmp_path / "none.yaml")

    def read() -> dict:
        answer = client.get("/health/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        return answer.json()["checks"]["search_index"]

    return read


def test_health_reports_lag_until_synced_and_the_retry_list(repo, health) -> None:
    store(repo, recorded_issue())
    assert health()["sources"]["github"] == {
        "lag_seconds": None, "retry_list": 0, "indexed_until": None,
    }  # fmt: skip
    sync()
    assert health()["sources"]["github"]["lag_seconds"] == 0
    store(repo, issue_item(2, body="stored after the sync"))
    assert health()["sources"]["github"]["lag_seconds"] > 0
    services.keep_for_retry(
        backend="postgres", source="github", doc_ids=[doc_id(2)], attempts=3, error=OSError("x")
    )
    report = health()
    assert report["sources"]["github"]["retry_list"] == 1
    assert report["ok"] is False


def test_the_status_page_shows_the_search_index(repo, admin_client, settings, tmp_path) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(tmp_path / "none.yaml")
    store(repo, recorded_issue())
    services.keep_for_retry(
        backend="postgres",
        source="github",
        doc_ids=["github-issue-5"],
        attempts=3,
        error=OSError("x"),
    )
    html = admin_client.get("/status/").content.decode()
    assert "<h2>Search index</h2>" in html
    assert '<span class="stale">all</span>' in html  # never indexed
    assert "/admin/cppa_pinecone_sync/retryitem/?source=github" in html
