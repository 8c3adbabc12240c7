"""run_boost_library_tracker end to end, against the loopback server with recorded files."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from boost_collector_runner import releases
from boost_library_tracker.fetchers import (
    OWNER,
    RELEASE_LIST_PATH,
    RELEASE_LIST_REPO,
    libraries_payload,
)
from boost_library_tracker.models import (
    BoostVersion,
    Library,
    LibraryVersion,
    LibraryVersionPerson,
)
from boost_library_tracker.parsers import parse_gitmodules
from boost_library_tracker.releases import detect_new_boost_release
from boost_library_tracker.testing import github_routes as routes
from core.bad_items import BadItem
from core.http import MalformedResponse
from core.models import CollectorRun, HttpCacheEntry, QuarantinedItem
from core.quarantine import quarantine_items
from core.testing.fixture_server import point_github_at

pytestmark = pytest.mark.django_db

TOKEN = "ghp_" + "C0ffee12" * 5


@pytest.fixture
def github(settings, fixture_server, tmp_path):
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    routes.add_gitmodules(fixture_server, "boost-1.86.0")
    routes.add_gitmodules(fixture_server, "boost-1.87.0")
    routes.add_release_list(fixture_server)
    routes.add_header_trees(fixture_server)
    return fixture_server


def run(*args: str) -> tuple[CollectorRun, str]:
    out = StringIO()
    call_command("run_boost_library_tracker", *args, stdout=out)
    return CollectorRun.objects.order_by("-id")[0], out.getvalue()


def stored_libraries() -> set[str]:
    return set(Library.objects.values_list("key", flat=True))


def test_release_catalogue_is_stored_and_a_second_run_writes_nothing(github) -> None:
    batches = len(routes.libraries_answers())
    routes.queue_catalogue_run(github)
    first, out = run("--version", "boost-1.86.0")

    found = routes.recorded_repos() & set(routes.library_repo_names())
    assert {k.split("/")[0] for k in stored_libraries()} == found
    assert "algorithm/minmax" in stored_libraries()  # an array libraries.json
    version = BoostVersion.objects.get()
    assert version.name == "boost-1.86.0"
    # boost.org's announcement date, not the tag commit's (2024-08-07 21:51).
    assert str(version.released_at) == "2024-08-14 16:07:17+00:00"
    json_lib = LibraryVersion.objects.get(library__key="json")
    assert json_lib.categories.exists()
    assert LibraryVersionPerson.objects.filter(library_version=json_lib, role="maintainer").exists()
    assert f"from {len(found)} of {len(routes.library_repo_names())} repositories" in out
    assert batches <= 4
    # tags, the release list, .gitmodules, the libraries.json batches, one tree per repository
    assert first.counters["api_requests"] == 3 + batches + len(found)
    assert "boost-1.86.0: 20 headers mapped from 3 repositories" in out
    assert first.counters["created"] == 1 + len(stored_libraries()) * 2 + 20
    assert "boost_library_tracker: succeeded in" in out

    routes.queue_catalogue_run(github)
    second, out = run("--version", "boost-1.86.0")

    assert second.counters["created"] == second.counters["updated"] == 0
    # The release list, .gitmodules and the 3 trees; GraphQL POSTs are not cached.
    assert second.counters["not_modified"] == 2 + 3
    assert "(0 rows written)" in out


def test_new_collects_only_releases_newer_than_the_stored_ones(github) -> None:
    routes.queue_catalogue_run(github)
    run("--version", "new")  # empty catalogue: the newest stable tag only
    assert list(BoostVersion.objects.values_list("name", flat=True)) == ["boost-1.86.0"]

    routes.queue_tags(github)
    _, out = run("--version", "new")
    assert "no new Boost release to collect" in out

    routes.queue_catalogue_run(github, with_1_87=True)
    run("--version", "new")
    assert list(BoostVersion.objects.values_list("name", flat=True)) == [
        "boost-1.86.0",
        "boost-1.87.0",
    ]


def test_a_new_stable_tag_is_detected_once_per_group(github) -> None:
    routes.queue_catalogue_run(github)
    run("--version", "boost-1.86.0")
    assert detect_new_boost_release in releases._detectors  # registered by the app
    routes.queue_tags(github)
    assert releases.detect_releases() == []

    routes.queue_tags(github, with_1_87=True)
    [found] = releases.detect_releases()
    assert found.version == "boost-1.87.0"
    assert releases.new_release_for_group(group="github") == found
    releases.mark_release_consumed(release=found, group="github")
    assert releases.new_release_for_group(group="github") is None
    assert releases.new_release_for_group(group="docs") == found


def test_archive_then_replay_stores_the_same_rows_without_requests(github, settings) -> None:
    routes.queue_catalogue_run(github)
    run("--version", "boost-1.86.0", "--archive")
    before = (stored_libraries(), LibraryVersion.objects.count())
    [archive] = Path(settings.WORKSPACE_DIR).glob("raw/boost_library_tracker/*")
    Library.objects.all().delete()
    BoostVersion.objects.all().delete()
    HttpCacheEntry.objects.all().delete()
    hits = github.hits()

    replayed, _ = run("--version", "boost-1.86.0", "--replay", str(archive))

    assert github.hits() == hits
    assert (stored_libraries(), LibraryVersion.objects.count()) == before
    assert replayed.status == "succeeded"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--version", "1.86"],
            "--version '1.86' is not valid; use all, new or a stable tag such as boost-1.86.0",
        ),
        (
            ["--version", "boost-1.99.0"],
            "--version boost-1.99.0: boostorg/boost has no such stable tag",
        ),
    ],
)
def test_bad_version_is_a_one_line_error(github, args, message) -> None:
    routes.queue_tags(github)
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == message


def test_without_the_release_list_the_tag_date_stands_until_the_list_appears(github) -> None:
    path = f"/repos/{OWNER}/{RELEASE_LIST_REPO}/contents/{RELEASE_LIST_PATH}"
    github.clear("GET", path)
    github.add("GET", path, status=404, body={"message": "Not Found"})
    routes.queue_catalogue_run(github)
    first, out = run("--version", "boost-1.86.0")

    assert first.status == "succeeded"
    assert str(BoostVersion.objects.get().released_at) == "2024-08-07 21:51:00+00:00"

    github.clear("GET", path)
    routes.add_release_list(github)
    routes.queue_tags(github)
    second, out = run("--version", "new")

    assert "no new Boost release to collect" in out
    assert second.counters["updated"] == 1  # the stored version, re-dated; nothing added
    assert str(BoostVersion.objects.get().released_at) == "2024-08-14 16:07:17+00:00"


def _alias_is_a_list(tags: dict, answers: list[dict]) -> str:
    answers[0]["data"]["r1"] = [{"object": None}]
    return "field 'r1' is a list, expected an object or null"


def _tag_is_text(tags: dict, answers: list[dict]) -> str:
    tags["data"]["repository"]["refs"]["nodes"][0] = "boost-1.87.0"
    return "tag nodes[0] is the text 'boost-1.87.0', expected an object"


@pytest.mark.parametrize(
    "break_answers",
    [_alias_is_a_list, _tag_is_text],
    ids=["alias-a-list", "tag-text"],
)
def test_a_wrong_shape_is_validation_and_stored_releases_stay(github, break_answers) -> None:
    routes.queue_catalogue_run(github)
    run("--version", "boost-1.86.0")
    stored = (stored_libraries(), LibraryVersion.objects.count())
    tags = json.loads(routes.TAGS_WITH_1_87.read_text(encoding="utf-8"))
    answers = routes.libraries_answers()
    expected = break_answers(tags, answers)
    github.clear("POST", "/graphql")
    for body in (tags, *answers):
        github.add("POST", "/graphql", headers=routes.JSON_HEADERS, body=body)

    with pytest.raises(MalformedResponse) as caught:
        run("--version", "new")

    row = CollectorRun.objects.order_by("-id")[0]
    assert (row.status, row.failure_category) == ("failed", "validation")
    assert f"{github.base_url}/graphql" in row.error_summary
    assert expected in row.error_summary
    assert expected in str(caught.value)
    assert list(BoostVersion.objects.values_list("name", flat=True)) == ["boost-1.86.0"]
    assert (stored_libraries(), LibraryVersion.objects.count()) == stored


def kept() -> list[QuarantinedItem]:
    return list(QuarantinedItem.objects.order_by("id"))


def test_a_libraries_json_that_cannot_be_parsed_is_quarantined_and_the_release_stored(
    github,
) -> None:
    routes.queue_catalogue_run(github, texts={"json": '{"key": "json", '})
    row, out = run("--version", "boost-1.86.0")

    assert row.status == "succeeded"
    assert BoostVersion.objects.filter(name="boost-1.86.0").exists()
    assert "json" not in stored_libraries()
    assert "algorithm/minmax" in stored_libraries()  # the other repositories' libraries
    [item] = kept()
    assert (item.scope, item.item_key, item.category) == (
        "libraries.json",
        "json@boost-1.86.0",
        "validation",
    )
    assert (
        f"{github.base_url}/graphql (boostorg/json@boost-1.86.0:meta/libraries.json) "
        "returned a file that is not valid JSON"
    ) in item.reason
    assert (item.payload or {})["text"] == '{"key": "json", '
    assert "1 quarantined" in out

    # The release is collected; the next run of any kind tries the kept file again.
    routes.queue_tags(github)
    again, _ = run("--version", "new")
    assert again.counters["quarantined"] == 1
    assert kept()[0].attempts == 2


def test_a_kept_libraries_json_that_parses_today_is_stored_by_the_next_run(github) -> None:
    routes.queue_catalogue_run(github, texts={"json": None})  # missing: skipped
    run("--version", "boost-1.86.0")
    assert "json" not in stored_libraries()
    submodule = next(
        s
        for s in parse_gitmodules(routes.GITMODULES_1_86.read_text(), source="test")
        if s.repo_name == "json"
    )
    payload = libraries_payload(
        ref="boost-1.86.0", submodule=submodule, text=routes.recorded_libraries_json("json") or ""
    )
    quarantine_items(
        collector="boost_library_tracker",
        scope="libraries.json",
        items=[BadItem(key=payload["key"], url="", payload=payload, error=ValueError("old"))],
    )
    QuarantinedItem.objects.update(last_seen=timezone.now() - timedelta(hours=1))

    routes.queue_tags(github)
    row, out = run("--version", "new")

    assert kept() == []
    assert "json" in stored_libraries()
    assert LibraryVersion.objects.filter(library__key="json", version__name="boost-1.86.0").exists()
    assert row.counters["released"] == 1
    assert "1 released" in out


def test_a_libraries_json_nested_20000_deep_is_quarantined_naming_url_and_depth(github) -> None:
    routes.queue_catalogue_run(github, texts={"json": "[" * 20_000 + "]" * 20_000})
    row, _ = run("--version", "boost-1.86.0")

    assert row.status == "succeeded"
    assert "algorithm/minmax" in stored_libraries()
    [item] = kept()
    assert (item.item_key, item.category) == ("json@boost-1.86.0", "validation")
    assert (
        f"{github.base_url}/graphql (boostorg/json@boost-1.86.0:meta/libraries.json) "
        "returned a file nested more than 100 levels deep"
    ) in item.reason
