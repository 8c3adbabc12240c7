"""Refresh (deleted, renamed, batches of 100), gone usages, --library, --dry-run, bad input."""

from __future__ import annotations

import math

import pytest
from django.core.management import CommandError

from boost_usage_tracker.fetchers import REFRESH_PER_QUERY
from boost_usage_tracker.models import BoostUsage, ExternalRepository, RepositoryState
from boost_usage_tracker.testing.search_server import FakeFile, FakeRepo
from boost_usage_tracker.tests.conftest import run
from core.models import Checkpoint

pytestmark = pytest.mark.django_db


def graphql_posts(server) -> int:
    return sum(1 for r in server.requests if r.target == "/graphql")


def test_refresh_rereads_known_repositories_100_a_request_and_marks_deleted_and_renamed(
    small_server, fake_clock
):
    # 150 repositories: the corpus's plus 130 more, so the refresh needs two requests.
    extra = [FakeRepo(github_id=5000 + i, full_name=f"many{i}/lib{i}") for i in range(130)]
    for repo in extra:
        small_server.corpus.append(FakeFile(repo, "main.cpp", 100, "#include <boost/json.hpp>"))
        small_server.repos[repo.full_name] = repo
    run("--task", "search", clock=fake_clock)
    known = ExternalRepository.objects.count()
    assert known > REFRESH_PER_QUERY

    small_server.repos["user1/project1"].deleted = True
    small_server.repos["user2/project2"].renamed_to = "user2/project2-renamed"
    small_server.repos["user3/project3"].stars = 999
    before = graphql_posts(small_server)

    refreshed, out = run("--task", "refresh", clock=fake_clock)

    assert refreshed.status == "succeeded", out
    assert graphql_posts(small_server) - before == math.ceil(known / REFRESH_PER_QUERY)
    assert f"refresh: {known} repositories re-read" in out
    deleted = ExternalRepository.objects.get(full_name="user1/project1")
    assert deleted.state == RepositoryState.DELETED  # kept, with its usages
    assert BoostUsage.objects.filter(repository=deleted).exists()
    renamed = ExternalRepository.objects.get(
        github_id=small_server.repos["user2/project2"].github_id
    )
    assert (renamed.full_name, renamed.previous_full_name) == (
        "user2/project2-renamed",
        "user2/project2",
    )
    assert ExternalRepository.objects.get(full_name="user3/project3").stars == 999
    assert refreshed.counters["deleted"] == 1
    assert "search_requests" not in refreshed.counters  # a refresh uses no search budget
    assert not Checkpoint.objects.filter(source_key="refresh").exists()


def test_usages_no_longer_found_are_marked_gone_after_n_searches_not_deleted(
    small_server, fake_clock, settings
):
    settings.BOOST_USAGE_GONE_AFTER_RUNS = 2
    run("--task", "search", clock=fake_clock)
    repo = small_server.repos["user4/project4"]
    small_server.corpus[:] = [f for f in small_server.corpus if f.repo is not repo]

    run("--task", "search", clock=fake_clock)
    usages = BoostUsage.objects.filter(repository__full_name="user4/project4")
    assert usages.exists()
    assert not usages.filter(gone=True).exists()
    assert set(usages.values_list("missed_searches", flat=True)) == {1}

    _, out = run("--task", "search", clock=fake_clock)
    assert usages.count() == usages.filter(gone=True).count() > 0
    assert "marked gone" in out
    assert (
        not BoostUsage.objects.exclude(repository__full_name="user4/project4")
        .filter(gone=True)
        .exists()
    )


def test_library_searches_only_that_librarys_headers(small_server, fake_clock):
    finished, out = run("--task", "search", "--library", "json", clock=fake_clock)
    assert finished.status == "succeeded", out
    queries = {r.target for r in small_server.requests if r.target.startswith("/search/code")}
    assert queries
    assert all("boost%2Fjson" in q for q in queries)
    headers = set(BoostUsage.objects.values_list("header", flat=True))
    assert "boost/json.hpp" in headers
    assert {
        u.library.key if u.library else None
        for u in BoostUsage.objects.filter(header="boost/json.hpp")
    } == {"json"}


def test_dry_run_prints_the_plan_and_asks_and_stores_nothing(small_server, fake_clock):
    finished, out = run("--dry-run", clock=fake_clock)
    assert finished.status == "succeeded"
    assert "dry run, task all; nothing is asked or stored" in out
    assert "search '\"#include <boost/\" language:C++': a new pass" in out
    assert small_server.hits() == 0
    assert not ExternalRepository.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--library", "no_such_lib"],
            "--library no_such_lib: not in the Boost catalogue; run run_boost_library_tracker "
            "first or use a key such as asio or numeric/conversion",
        ),
        (["--max-requests", "-1"], "--max-requests -1 is negative; use 0 (no bound) or more"),
        (["--task", "everything"], "argument --task: invalid choice: 'everything'"),
    ],
)
def test_bad_flags_fail_in_one_line_before_any_request(small_server, fake_clock, args, message):
    with pytest.raises(CommandError) as caught:
        run(*args, clock=fake_clock)
    assert message in str(caught.value)
    assert small_server.hits() == 0


def test_no_token_is_a_one_line_error(small_server, fake_clock, settings):
    settings.GITHUB_TOKENS = []
    settings.GITHUB_TOKEN = ""
    with pytest.raises(CommandError, match="code search answers only authenticated requests"):
        run(clock=fake_clock)
    assert small_server.hits() == 0


def test_a_run_indexes_each_repository_as_a_search_document(small_server, fake_clock):
    from cppa_pinecone_sync.backends.base import SearchRequest
    from cppa_pinecone_sync.query import search

    finished, _ = run("--task", "search", clock=fake_clock)
    indexed = {k: v for k, v in finished.counters.items() if k.startswith("search_")}
    assert indexed, finished.counters
    hits = search(SearchRequest(query="includes Boost headers", sources=["boost_usage"]))
    assert hits
    assert hits[0].url.startswith("https://github.com/user")
    assert "uses Boost" in hits[0].title
