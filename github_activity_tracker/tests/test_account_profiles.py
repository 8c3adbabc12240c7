"""The account profile step: names, companies and web sites through GraphQL.

The loopback GraphQL endpoint (`testing/graphql_routes.py`) answers `repositoryOwner`
for each alias from our own samples (`fixtures/graphql-profiles/owners.json`, written
from GitHub's public schema: see PROVENANCE.md). The accounts are those the recorded
REST payloads of the `github` fixture bring, plus an organisation and a bot.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import CollectorRun
from cppa_user_tracker.items import GitHubAccountItem
from cppa_user_tracker.models import GitHubAccount
from cppa_user_tracker.services import upsert_github_accounts
from github_activity_tracker.testing import github_routes as routes
from github_activity_tracker.testing import graphql_routes
from github_activity_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "fixtures" / "graphql-profiles" / "owners.json"
ORG = GitHubAccountItem(github_id=3170529, login="boostorg", account_type="Organization")
BOT = GitHubAccountItem(github_id=49699333, login="dependabot[bot]", account_type="Bot")
# The accounts the recorded REST payloads of the `github` fixture name.
PAYLOAD_LOGINS = {"cdw9", "daveoconnor", "gavinwahl", "karimarie67", "rbbeeston", "sdarwin"}


def profile_queries(fake) -> list[dict]:
    return [q["variables"] for q in fake.queries if "query AccountProfiles" in q["query"]]


def profile(login: str) -> tuple:
    return GitHubAccount.objects.values_list("name", "company", "blog").get(login=login)


@pytest.fixture
def owners(github, settings):
    """The fake serving the samples; the organisation and the bot stored as accounts."""
    samples = json.loads(SAMPLES.read_text())
    fake = graphql_routes.serve(github)
    for node in samples["owners"]:
        fake.add_owner(node)
    fake.fail_owner("cdw9", samples["not_found_error"])
    upsert_github_accounts(items=[ORG, BOT])
    return fake


def test_profiles_are_read_in_one_query_and_stored(owners, caplog) -> None:
    caplog.set_level(logging.INFO, logger="github_activity_tracker.profiles")
    ledger, out = run()

    assert ledger.status == "succeeded"
    (asked,) = profile_queries(owners)  # 8 accounts: one query, 1 point
    assert sorted(asked.values()) == sorted(GitHubAccount.objects.values_list("login", flat=True))
    assert profile("sdarwin") == ("Ada Sample", "@sample-co", "https://ada.example.net")
    assert profile("rbbeeston") == ("Rowan Sample", "", "")
    assert profile("boostorg") == ("Boost C++ Libraries", "", "https://www.boost.org")
    # A bot (null: bots own no repositories), a deleted-looking null, NOT_FOUND: nothing.
    for login in ("dependabot[bot]", "gavinwahl", "cdw9", "karimarie67"):
        assert profile(login) == ("", "", "")
    # A login now answering with another databaseId: not written to our account.
    assert profile("daveoconnor") == ("", "", "")
    reused = [r for r in caplog.records if "daveoconnor" in r.getMessage()]
    assert len(reused) == 1
    assert "99000001" in reused[0].getMessage()
    # Every account asked is stamped read, so the next run does not ask again.
    assert not GitHubAccount.objects.filter(profile_read_at__isnull=True).exists()
    counters = ledger.counters
    assert (counters["profiles_read"], counters["profiles_changed"]) == (8, 3)
    assert counters["profiles_login_reused"] == 1
    # 1 point for the pull request page, 1 for the profiles.
    assert counters["graphql_points"] == 2
    assert "graphql points" in out


def test_an_unchanged_run_within_the_refresh_window_costs_nothing(owners) -> None:
    run()
    stamps = dict(GitHubAccount.objects.values_list("login", "updated_at"))

    second, _ = run()
    assert "graphql_points" not in second.counters
    full, _ = run("--full")  # every page read again: every account met, none due

    assert len(profile_queries(owners)) == 1
    assert full.counters["graphql_points"] == 1  # the pull request page only
    assert "profiles_read" not in full.counters
    assert dict(GitHubAccount.objects.values_list("login", "updated_at")) == stamps


def test_a_simple_user_payload_does_not_undo_a_profile_read(owners) -> None:
    run()
    run("--full")  # the same simple users (no name) are stored again

    assert profile("sdarwin") == ("Ada Sample", "@sample-co", "https://ada.example.net")


def test_stale_profiles_are_read_again_only_for_accounts_the_run_met(owners, settings) -> None:
    settings.GITHUB_ACTIVITY_PROFILE_REFRESH_DAYS = 7
    run()
    old = timezone.now() - timedelta(days=8)
    GitHubAccount.objects.update(profile_read_at=old)
    owners.add_owner({**owners.owners["sdarwin"], "company": "Other Co"})
    before = GitHubAccount.objects.get(login="sdarwin").updated_at

    again, _ = run()  # the lists' overlap window brings some accounts again

    (_, asked) = profile_queries(owners)
    met = set(asked.values())
    assert "sdarwin" in met
    assert met < PAYLOAD_LOGINS
    assert again.counters["profiles_read"] == len(met)
    assert again.counters["profiles_changed"] == 1
    account = GitHubAccount.objects.get(login="sdarwin")
    assert account.company == "Other Co"
    assert account.updated_at > before
    # Stale accounts no page of this run named are left for a run that meets them.
    for login in ("boostorg", "dependabot[bot]", *(PAYLOAD_LOGINS - met)):
        assert GitHubAccount.objects.get(login=login).profile_read_at == old


def test_the_step_is_bounded_per_run_and_can_be_turned_off(owners, settings) -> None:
    settings.GITHUB_ACTIVITY_PROFILES_PER_RUN = 3
    first, _ = run()
    assert [len(q) for q in profile_queries(owners)] == [3]
    assert first.counters["profiles_read"] == 3
    assert GitHubAccount.objects.filter(profile_read_at__isnull=True).count() == 5

    run()  # the unread ones first, whether the run met them or not
    assert [len(q) for q in profile_queries(owners)] == [3, 3]

    settings.GITHUB_ACTIVITY_PROFILE_REFRESH_DAYS = 0
    off, _ = run()
    assert len(profile_queries(owners)) == 2
    assert "profiles_read" not in off.counters


def test_batches_hold_at_most_100_logins(owners) -> None:
    many = [GitHubAccountItem(github_id=10_000 + n, login=f"sample-{n}") for n in range(150)]
    upsert_github_accounts(items=many)

    ledger, _ = run()

    assert [len(q) for q in profile_queries(owners)] == [100, 58]
    assert ledger.counters["profiles_read"] == 158


def test_an_answer_of_the_wrong_shape_is_one_line_and_asked_again(owners) -> None:
    owners.add_owner({**owners.owners["sdarwin"], "databaseId": "1257803"})

    ledger, out = run()

    assert ledger.status == "succeeded"
    lines = [line for line in out.splitlines() if "profile of sdarwin" in line]
    assert len(lines) == 1
    assert "databaseId" in lines[0]
    assert "read again next run" in lines[0]
    assert ledger.counters["profiles_unreadable"] == 1
    assert GitHubAccount.objects.get(login="sdarwin").profile_read_at is None
    assert profile("boostorg") == ("Boost C++ Libraries", "", "https://www.boost.org")
    owners.add_owner({**owners.owners["sdarwin"], "databaseId": 1257803})
    run()
    assert profile("sdarwin") == ("Ada Sample", "@sample-co", "https://ada.example.net")


def test_an_error_beyond_one_alias_ends_the_run_keeping_what_was_stored(owners) -> None:
    owners.fail_owner("rbbeeston", {"type": "RATE_LIMITED", "message": "API rate limit exceeded"})

    with pytest.raises(Exception, match="API rate limit exceeded"):
        run()

    ledger = CollectorRun.objects.order_by("-id")[0]
    assert (ledger.status, ledger.failure_category) == ("failed", "rate_limit")
    assert GitHubAccount.objects.filter(profile_read_at__isnull=True).count() == 8
    assert GitHubAccount.objects.count() == 8  # the repository's pages are stored


def test_plan_prices_the_profiles_due(owners, github) -> None:
    run()
    upsert_github_accounts(items=[GitHubAccountItem(github_id=77, login="newcomer")])
    old = timezone.now() - timedelta(days=31)
    GitHubAccount.objects.filter(login__in=["cdw9", "sdarwin"]).update(profile_read_at=old)
    rate = {"resources": {b: {"limit": 5000, "remaining": 4000, "reset": 1893456000}
                          for b in ("core", "graphql", "search")}}  # fmt: skip
    routes.add(github, "/rate_limit", rate)

    out = StringIO()
    call_command("run_github_activity_tracker", "--plan", stdout=out)

    text = out.getvalue()
    assert "account profiles: 1 never read, 2 read over 30 days ago" in text
    assert "up to 1 GraphQL points" in text
    assert ", 1 GraphQL points" in text  # in the plan's total
