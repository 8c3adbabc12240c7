"""Issue 7's acceptance line, end to end: against the fixture server, the scheduler's
github group fills the catalogue and activity tables, and a second run is (nearly) free.

The group is run both as the issue and the seed's workflow write it
(`run_scheduled_collectors --schedule daily --group github`) and as Celery Beat runs it
(`--batch --group github`), with the real schedule file and the real release detector
the catalogue app registers; each collector reads its routes from its own app's test
helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import httpx
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from boost_collector_runner import releases
from boost_collector_runner.models import ReleaseConsumption
from boost_library_tracker.models import BoostVersion, Library, LibraryVersion
from boost_library_tracker.releases import detect_new_boost_release
from boost_library_tracker.testing import github_routes as catalogue_routes
from core.locks import AdvisoryLock
from core.models import CollectorRun, RunKind
from core.testing import fixture_server as faults
from core.testing.fixture_server import point_github_at
from github_activity_tracker.models import Commit, Issue, Repository
from github_activity_tracker.testing import github_routes as activity_routes

pytestmark = pytest.mark.django_db

TOKEN = "ghp_" + "Feed5678" * 5
OVERLAP_DAYS = 2
TABLES = (BoostVersion, Library, LibraryVersion, Repository, Issue, Commit)


@pytest.fixture
def github(settings, fixture_server, tmp_path):
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(
        django_settings.BASE_DIR / "config" / "boost_collector_schedule.yaml"
    )
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    settings.GITHUB_ACTIVITY_REPOS = [activity_routes.REPO]
    settings.HTTP_MAX_ATTEMPTS = 2
    settings.GITHUB_ACTIVITY_OVERLAP_DAYS = OVERLAP_DAYS
    catalogue_routes.add_gitmodules(fixture_server, "boost-1.86.0")
    catalogue_routes.add_release_list(fixture_server)
    activity_routes.add_repository(fixture_server, overlap_days=OVERLAP_DAYS)
    return fixture_server


@pytest.fixture(params=[["--schedule", "daily"], ["--batch"]], ids=["daily", "beat-batch"])
def run_group(request) -> Callable[[], tuple[CollectorRun, str]]:
    def run() -> tuple[CollectorRun, str]:
        out = StringIO()
        call_command("run_scheduled_collectors", *request.param, "--group", "github", stdout=out)
        return CollectorRun.objects.filter(kind=RunKind.BATCH).latest("id"), out.getvalue()

    return run


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def children(batch: CollectorRun) -> dict[str, CollectorRun]:
    return {r.command: r for r in CollectorRun.objects.filter(parent=batch).order_by("id")}


def test_github_group_fills_the_tables_and_a_second_run_is_nearly_free(github, run_group) -> None:
    # The root tests/ folder has no runner conftest emptying the detectors: the real one
    # (registered in BoostLibraryTrackerConfig.ready) decides the on_release task.
    assert detect_new_boost_release in releases._detectors
    catalogue_routes.queue_new_release_batch(github)

    batch, out = run_group()

    assert "2 tasks: 2 succeeded, 0 failed, 0 skipped" in out
    counts = row_counts()
    assert all(counts.values()), counts
    assert list(BoostVersion.objects.values_list("name", flat=True)) == ["boost-1.86.0"]
    assert LibraryVersion.objects.filter(library__key="json", version__name="boost-1.86.0").exists()
    assert Repository.objects.get().full_name == "boostorg/website-v2"
    assert Issue.objects.get(number=1602).is_pull_request
    assert set(Commit.objects.values_list("sha", flat=True)) == {
        activity_routes.SHA_A,
        activity_routes.SHA_B,
    }
    assert (batch.kind, batch.group, batch.status) == (RunKind.BATCH, "github", "succeeded")
    first = children(batch)
    assert list(first) == ["run_boost_library_tracker", "run_github_activity_tracker"]
    assert {r.status for r in first.values()} == {"succeeded"}
    # 13, and the account profile step's one GraphQL query for the accounts stored.
    assert first["run_github_activity_tracker"].counters["api_requests"] == 14

    # Second run: the detector reads the tags and finds nothing newer than boost-1.86.0.
    catalogue_routes.queue_tags(github)
    graphql_before, requests_before = github.hits("POST", "/graphql"), github.hits()

    batch2, out = run_group()

    assert "group 'github': no new release, its on_release tasks do not run" in out
    assert "1 task: 1 succeeded, 0 failed, 0 skipped" in out
    assert github.hits("POST", "/graphql") == graphql_before + 1  # the detector's tag read
    assert row_counts() == counts
    [activity] = children(batch2).values()
    assert (activity.command, activity.status) == ("run_github_activity_tracker", "succeeded")
    assert activity.counters.get("created", 0) == activity.counters.get("updated", 0) == 0
    # Nothing changed, so every GET is answered 304: the repository, releases, branch
    # head (unchanged, so no commit list) and the three windowed lists (whose URLs the
    # first run's settling pass already asked); no pull request is newer than the
    # GraphQL stream's checkpoint, so it asks nothing; every account profile was read
    # within GITHUB_ACTIVITY_PROFILE_REFRESH_DAYS, so neither does the profile step.
    assert activity.counters["api_requests"] == activity.counters["not_modified"] == 6
    # The whole second run: 1 GraphQL tag read + those 6 GETs, no row written.
    assert github.hits() == requests_before + 7


def test_a_release_is_consumed_only_by_a_batch_whose_catalogue_run_succeeded(github) -> None:
    """Issue 11's race: a daily run of the group holds the catalogue's lock when Beat's
    batch starts; Beat's catalogue task is skipped, the daily run's catalogue run then
    fails. Neither may consume the release: the next batch must collect it."""
    catalogue_lock = AdvisoryLock("command:run_boost_library_tracker")
    assert catalogue_lock.acquire()  # the daily run's catalogue task, in progress
    catalogue_routes.queue_tags(github)  # Beat's release check sees boost-1.86.0
    beat = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("run_scheduled_collectors", "--batch", "--group", "github", stdout=beat)
    catalogue_lock.release()
    assert "1 skipped (run_boost_library_tracker: another run in progress)" in str(caught.value)
    assert not ReleaseConsumption.objects.exists()

    github.fail("POST", "/graphql", faults.server_error(502), times=2)  # its run then fails
    with pytest.raises(httpx.HTTPStatusError):
        call_command("run_boost_library_tracker", stdout=StringIO())
    assert not BoostVersion.objects.exists()

    catalogue_routes.queue_new_release_batch(github)
    out = StringIO()
    call_command("run_scheduled_collectors", "--batch", "--group", "github", stdout=out)
    assert "2 tasks: 2 succeeded, 0 failed, 0 skipped" in out.getvalue()
    assert list(BoostVersion.objects.values_list("name", flat=True)) == ["boost-1.86.0"]
    assert ReleaseConsumption.objects.get().group == "github"
