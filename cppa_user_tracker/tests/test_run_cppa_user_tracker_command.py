"""run_cppa_user_tracker end to end: the rows, the summary line, a second run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from cppa_user_tracker import services
from cppa_user_tracker.items import GitHubAccountItem

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("run_cppa_user_tracker", stdout=out)
    return out.getvalue()


def test_empty_database_reports_zero_honestly() -> None:
    out = run()
    assert "0 people, 0 GitHub accounts, 0 email addresses, 0 git identities stored" in out
    assert "cppa_user_tracker: succeeded in" in out
    ledger = CollectorRun.objects.get()
    assert (ledger.command, ledger.collector, ledger.status) == (
        "run_cppa_user_tracker",
        "cppa_user_tracker",
        "succeeded",
    )


def test_links_accounts_then_second_run_writes_nothing() -> None:
    services.upsert_github_accounts(
        items=[
            GitHubAccountItem(github_id=11, login="a"),
            GitHubAccountItem(github_id=12, login="b"),
        ]
    )
    first = run()
    assert "2 people, 2 GitHub accounts" in first
    assert "— 2 fetched, 2 created, 2 updated" in first
    second = run()
    assert "2 people, 2 GitHub accounts" in second
    assert "0 new or changed, 0 people created" in second
    assert [r.counters for r in CollectorRun.objects.order_by("id")] == [
        {"fetched": 2, "created": 2, "updated": 2},
        {"fetched": 2, "created": 0, "updated": 0},
    ]
