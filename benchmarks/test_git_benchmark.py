"""Git path throughput: commits with their file changes read from a local mirror by
`git log` and stored by the collector's own loop (parse + store), on a generated
repository of GIT_BENCH_COMMITS commits (100,000 by default).

The target is 10,000 commits/s. Beside it, in the same run: the time `git log`
alone takes (the floor of this path on this machine), and the API-shaped bulk ingest
of the same number of commits (`benchmarks/writers.bulk_ingest`), so a loaded
machine shows as both numbers falling, not as a regression of one.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from benchmarks.git_repo import BRANCH, generate_repository
from benchmarks.writers import bulk_ingest, clear_activity
from core.http import HttpOptions
from github_activity_tracker.collectors import GitHubActivityCollector
from github_activity_tracker.git_log import LOG_OPTIONS
from github_activity_tracker.git_mirror import GitMirror, git_environment
from github_activity_tracker.models import Commit, FileChange, Repository

COMMITS = int(os.environ.get("GIT_BENCH_COMMITS", "100000"))
TARGET = 10_000
FULL_NAME = "boostorg/bench"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A workspace whose mirror of boostorg/bench is the generated repository."""
    root = tmp_path_factory.mktemp("git-bench")
    started = time.perf_counter()
    generate_repository(root / "git" / "boostorg" / "bench.git", COMMITS)
    return root, time.perf_counter() - started


@pytest.fixture
def repository(db) -> Repository:
    return Repository.objects.create(
        github_id=1, owner="boostorg", name="bench", full_name=FULL_NAME
    )


def _git_log_seconds(mirror: GitMirror) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["git", "log", *LOG_OPTIONS, BRANCH, "--"],
        cwd=mirror.path,
        env=git_environment(),
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_git_path_ingest(benchmark, settings, workspace, repository, git_lines) -> None:
    root, generated_in = workspace
    settings.WORKSPACE_DIR = str(root)
    mirror = GitMirror(FULL_NAME)
    collector = GitHubActivityCollector(repos=[FULL_NAME], http=HttpOptions())
    head = mirror.head(BRANCH)
    assert head is not None
    elapsed: list[float] = []

    def run() -> None:
        started = time.perf_counter()
        collector.git._store_log(mirror, repository, [head])
        elapsed.append(time.perf_counter() - started)

    benchmark.pedantic(run, setup=clear_activity, rounds=1, iterations=1)
    assert Commit.objects.count() == FileChange.objects.count() == COMMITS
    rate = COMMITS / elapsed[0]
    benchmark.extra_info["commits_per_second"] = round(rate)
    log_alone = _git_log_seconds(mirror)

    clear_activity()
    started = time.perf_counter()
    bulk_ingest(repository, COMMITS)
    bulk_rate = COMMITS / (time.perf_counter() - started)

    verdict = "met" if rate >= TARGET else "NOT met"
    git_lines.append(
        f"git path N={COMMITS}: {rate:.0f} commits/s parse + store "
        f"(target {TARGET:,}: {verdict}) | git log alone {COMMITS / log_alone:.0f} commits/s "
        f"| API-shaped bulk ingest in the same run {bulk_rate:.0f} commits/s "
        f"| repository generated in {generated_in:.1f} s"
    )
