"""Reports and exports at scale: export rows/s and peak RSS, monthly report seconds.

Not part of `make test` (`make bench` runs it). Rows are made by PostgreSQL itself
(generate_series), committed, and each export runs as a child process, as an operator
runs it, so its peak RSS is the export's alone (`os.wait4`'s rusage). The export runs
twice, at a tenth of the commits and at all of them: equal peaks show memory does
not grow with rows. Sizes: REPORTS_BENCH_COMMITS (default 1,000,000) and
REPORTS_BENCH_ISSUES (default 100,000).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from boost_library_tracker.models import BoostVersion, Library, LibraryVersion
from core.models import CollectorRun
from core.testing.manage import start_on_test_db
from cppa_user_tracker.models import GitHubAccount, GitIdentity, Person
from github_activity_tracker.models import Comment, Commit, Issue, PullRequest, Repository, Review

COMMITS = int(os.environ.get("REPORTS_BENCH_COMMITS", "1000000"))
ISSUES = int(os.environ.get("REPORTS_BENCH_ISSUES", "100000"))
REPOS = 50
AUTHORS = 2_000
LINES: list[str] = []


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _people_and_repos() -> tuple[int, int, int]:
    """Repositories with catalogue libraries, and authors (a fifth of them persons)."""
    version = BoostVersion.objects.create(
        name="boost-1.85.0",
        major=1,
        minor=85,
        patch=0,
        released_at=datetime(2024, 4, 15, tzinfo=UTC),
    )
    repos = Repository.objects.bulk_create(
        Repository(github_id=n + 1, owner="boostorg", name=f"lib{n}", full_name=f"boostorg/lib{n}")
        for n in range(REPOS)
    )
    for n in range(REPOS):
        library = Library.objects.create(
            key=f"lib{n}", name=f"Lib {n}", repo_name=f"lib{n}", superproject_path=f"libs/lib{n}"
        )
        LibraryVersion.objects.create(library=library, version=version, name=f"Lib {n}")
    persons = Person.objects.bulk_create(
        Person(display_name=f"Dev {n}") for n in range(AUTHORS // 5)
    )
    accounts = GitHubAccount.objects.bulk_create(
        GitHubAccount(
            github_id=10_000 + n, login=f"dev{n}", person=persons[n] if n < len(persons) else None
        )
        for n in range(AUTHORS)
    )
    identities = GitIdentity.objects.bulk_create(
        GitIdentity(name=f"Dev {n}", email=f"dev{n}@example.org", account=accounts[n])
        for n in range(AUTHORS)
    )
    return repos[0].pk, accounts[0].pk, identities[0].pk


def _insert_commits(first: int, count: int, repo: int, account: int, identity: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {_t(Commit)} (repository_id, sha, message, author_id, committer_id,
                author_account_id, committer_account_id, authored_at, committed_at,
                additions, deletions, row_changed_at)
            SELECT {repo} + mod(g, {REPOS}), md5(g::text) || substr(md5((g + 1)::text), 1, 8),
                'Change number ' || g || E'\\n\\nWith a longer body, "quoted", and a tab\\t.',
                {identity} + mod(g, {AUTHORS}), {identity} + mod(g, {AUTHORS}),
                CASE WHEN mod(g, 3) = 0 THEN NULL ELSE {account} + mod(g, {AUTHORS}) END, NULL,
                ts, ts, mod(g, 400), mod(g, 90), now()
            FROM generate_series({first}, {first + count - 1}) g,
                 LATERAL (SELECT timestamptz '2024-01-01' + g * interval '30 seconds' AS ts) t"""
        )


def _insert_issues(count: int, repo: int, account: int) -> None:
    span = f"timestamptz '2024-01-01' + g * interval '{max(1, 31_536_000 // count)} seconds'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {_t(Issue)} (repository_id, github_id, number, is_pull_request, title,
                body, state, state_reason, locked, author_id, created_at, updated_at, closed_at,
                row_changed_at)
            SELECT {repo} + mod(g, {REPOS}), g, g, mod(g, 2) = 0, 'Issue ' || g, 'Body ' || g,
                'closed', '', false, {account} + mod(g, {AUTHORS}), {span}, {span},
                {span} + interval '3 days', now()
            FROM generate_series(1, {count}) g"""
        )
        cursor.execute(
            f"""INSERT INTO {_t(PullRequest)} (issue_id, github_id, draft, head_ref, base_ref,
                merged, merged_at, merge_commit_sha, merged_by_id, row_changed_at)
            SELECT id, github_id, false, 'feature', 'develop', true,
                created_at + interval '2 days', '', NULL, now()
            FROM {_t(Issue)} WHERE is_pull_request"""
        )
        cursor.execute(
            f"""INSERT INTO {_t(Comment)} (issue_id, github_id, author_id, body, created_at,
                updated_at, row_changed_at)
            SELECT id, github_id, {account} + mod(github_id + 7, {AUTHORS}), 'Thanks',
                created_at + interval '5 hours', created_at + interval '5 hours', now()
            FROM {_t(Issue)}"""
        )
        cursor.execute(
            f"""INSERT INTO {_t(Review)} (issue_id, github_id, author_id, state, body, commit_sha,
                submitted_at, row_changed_at)
            SELECT id, github_id, {account} + mod(github_id + 11, {AUTHORS}), 'APPROVED', '', '',
                created_at + interval '1 day', now()
            FROM {_t(Issue)} WHERE is_pull_request"""
        )
        cursor.execute("ANALYZE")


def _export(fmt: str, output: Path) -> tuple[float, float]:
    """Run `run_export --full` in a child; return (the run's seconds, peak RSS in MiB).

    The seconds are the ledger's (the run itself, not the interpreter's start)."""
    child = start_on_test_db(
        "run_export", "--format", fmt, "--full", "--app", "github_activity_tracker",
        "--output", str(output), "--no-progress", LOG_LEVEL="warning",
    )  # fmt: skip
    _, status, usage = os.wait4(child.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, child.stderr.read() if child.stderr else ""
    run = CollectorRun.objects.filter(command="run_export").order_by("-id")[0]
    return float(run.duration_seconds or 0), usage.ru_maxrss / 1024


@pytest.mark.django_db(transaction=True)
def test_export_and_monthly_report_at_scale(tmp_path, settings) -> None:
    settings.WORKSPACE_DIR = str(tmp_path / "workspace")
    repo, account, identity = _people_and_repos()
    tenth = COMMITS // 10
    _insert_commits(0, tenth, repo, account, identity)
    peaks: dict[str, list[float]] = {"jsonl": [], "parquet": []}
    for size, first, count in ((tenth, tenth, COMMITS - tenth), (COMMITS, 0, 0)):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for fmt in ("jsonl", "parquet"):
            seconds, peak = _export(fmt, tmp_path / f"{fmt}-{size}")
            peaks[fmt].append(peak)
            LINES.append(
                f"export {size:,} commits to {fmt}: {size / seconds:,.0f} rows/s "
                f"({seconds:.1f} s), peak RSS {peak:.0f} MiB"
            )
        if count:
            _insert_commits(first, count, repo, account, identity)
    assert Commit.objects.count() == COMMITS
    for fmt, (small, large) in peaks.items():
        LINES.append(
            f"{fmt} peak RSS at {tenth:,} vs {COMMITS:,} rows: {small:.0f} vs {large:.0f} MiB"
        )
        assert large < small * 1.5 + 50, f"{fmt}: memory grew with rows ({small} -> {large} MiB)"

    _insert_issues(ISSUES, repo, account)
    started = time.perf_counter()
    call_command("run_monthly_report", "--month", "2024-05", "--no-progress", stdout=StringIO())
    seconds = time.perf_counter() - started
    LINES.append(
        f"monthly report on {COMMITS:,} commits and {ISSUES:,} issues/PRs: {seconds:.1f} s"
    )


@pytest.fixture(autouse=True, scope="module")
def _print_lines():
    yield
    if LINES:
        print("\n" + "\n".join(f"reports benchmark: {line}" for line in LINES))
