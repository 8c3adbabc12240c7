"""The GitHub activity section: per library, contributors (as persons) and reviewers.

Numbers come from SQL aggregates over the month, never from rows loaded into Python,
so a month of a million-commit database costs a few grouped queries. A contributor is
a person: accounts and git identities linked to the same `cppa_user_tracker` Person
count once; an account or identity with no person counts as one contributor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from boost_library_tracker.models import BoostVersion, Library, LibraryVersion
from cppa_user_tracker.models import GitHubAccount, GitIdentity, Person, ProfileLink
from cppa_user_tracker.profile_kinds import GIT_IDENTITY, GITHUB_ACCOUNT
from github_activity_tracker.models import (
    Comment,
    Commit,
    Issue,
    PullRequest,
    Repository,
    Review,
    ReviewComment,
)
from reports.sections import Chart, ReportPeriod, Section, Table

TOP = 10


def _t(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _person_key(person: str, account: str, identity: str) -> str:
    """SQL for a contributor's key: its person, else its account, else its identity."""
    return (
        f"CASE WHEN {person} IS NOT NULL THEN 'p' || {person} "
        f"WHEN {account} IS NOT NULL THEN 'a' || {account} "
        f"WHEN {identity} IS NOT NULL THEN 'i' || {identity} END"
    )


def _link_join(alias: str, kind: str, profile: str) -> str:
    """SQL joining the person link (`cppa_user_tracker.ProfileLink`) of a profile row."""
    return (
        f"LEFT JOIN {_t(ProfileLink)} {alias} "
        f"ON {alias}.kind = '{kind}' AND {alias}.profile_id = {profile}"
    )


def _commit_authors_sql() -> str:
    """Commits with their author's key and display name (one row per commit)."""
    person = "COALESCE(gl.person_id, al.person_id)"
    return f"""
        SELECT c.repository_id, c.committed_at,
               {_person_key(person, "acc.id", "gi.id")} AS who,
               COALESCE(NULLIF(p.display_name, ''), acc.login, gi.name) AS label
        FROM {_t(Commit)} c
        LEFT JOIN {_t(GitIdentity)} gi ON gi.id = c.author_id
        LEFT JOIN {_t(GitHubAccount)} acc ON acc.id = COALESCE(c.author_account_id, gi.account_id)
        {_link_join("gl", GIT_IDENTITY, "gi.id")}
        {_link_join("al", GITHUB_ACCOUNT, "acc.id")}
        LEFT JOIN {_t(Person)} p ON p.id = {person}
    """


def _account_key_sql(column: str) -> tuple[str, str, str]:
    """(join, key, label) SQL for a row whose author is the account in `column`."""
    join = (
        f"LEFT JOIN {_t(GitHubAccount)} acc ON acc.id = {column} "
        f"{_link_join('al', GITHUB_ACCOUNT, 'acc.id')} "
        f"LEFT JOIN {_t(Person)} p ON p.id = al.person_id"
    )
    key = _person_key("al.person_id", "acc.id", "NULL")
    return join, key, "COALESCE(NULLIF(p.display_name, ''), acc.login)"


def _rows(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(slots=True)
class RepoActivity:
    repository: str
    libraries: list[str] = field(default_factory=list)
    commits: int = 0
    contributors: int = 0
    issues_opened: int = 0
    issues_closed: int = 0
    prs_opened: int = 0
    prs_merged: int = 0
    first_response_hours: float | None = None
    merge_hours: float | None = None

    @property
    def activity(self) -> int:
        return self.commits + self.issues_opened + self.issues_closed + self.prs_opened

    @property
    def label(self) -> str:
        return ", ".join(self.libraries) if self.libraries else self.repository


def catalogued_libraries() -> dict[str, list[str]]:
    """boostorg repository name -> library keys, from the newest catalogued release."""
    newest = (
        BoostVersion.objects.filter(library_versions__isnull=False)
        .order_by("-major", "-minor", "-patch")
        .first()
    )
    libraries = Library.objects.all()
    if newest is not None:
        keys = LibraryVersion.objects.filter(version=newest).values("library_id")
        libraries = libraries.filter(id__in=keys)
    by_repo: dict[str, list[str]] = defaultdict(list)
    for repo_name, key in libraries.order_by("key").values_list("repo_name", "key"):
        by_repo[repo_name].append(key)
    return dict(by_repo)


def _activity(period: ReportPeriod) -> dict[int, RepoActivity]:
    span = [period.start, period.end]
    repos = {
        pk: RepoActivity(repository=full_name)
        for pk, full_name in Repository.objects.values_list("id", "full_name")
    }
    by_name = {activity.repository: activity for activity in repos.values()}
    for repo_name, keys in catalogued_libraries().items():
        if f"boostorg/{repo_name}" in by_name:
            by_name[f"boostorg/{repo_name}"].libraries = keys
    for repo_id, commits, people in _rows(
        f"SELECT repository_id, count(*), count(DISTINCT who) FROM ({_commit_authors_sql()}) c "
        "WHERE committed_at >= %s AND committed_at < %s GROUP BY repository_id",
        span,
    ):
        repos[repo_id].commits = commits
        repos[repo_id].contributors = people
    issues, pulls = _t(Issue), _t(PullRequest)
    for repo_id, opened, closed, pr_opened, merged in _rows(
        f"""SELECT i.repository_id,
               count(*) FILTER (WHERE NOT is_pull_request AND created_at >= %s AND created_at < %s),
               count(*) FILTER (WHERE NOT is_pull_request AND closed_at >= %s AND closed_at < %s),
               count(*) FILTER (WHERE is_pull_request AND created_at >= %s AND created_at < %s),
               count(*) FILTER (WHERE pr.merged_at >= %s AND pr.merged_at < %s)
            FROM {issues} i LEFT JOIN {pulls} pr ON pr.issue_id = i.id
            WHERE (i.created_at >= %s AND i.created_at < %s)
               OR (i.closed_at >= %s AND i.closed_at < %s)
               OR (pr.merged_at >= %s AND pr.merged_at < %s)
            GROUP BY i.repository_id""",
        span * 7,
    ):
        activity = repos[repo_id]
        activity.issues_opened, activity.issues_closed = opened, closed
        activity.prs_opened, activity.prs_merged = pr_opened, merged
    for repo_id, hours in _rows(
        f"""SELECT i.repository_id,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY extract(epoch FROM pr.merged_at - i.created_at) / 3600)
            FROM {issues} i JOIN {pulls} pr ON pr.issue_id = i.id
            WHERE pr.merged_at >= %s AND pr.merged_at < %s GROUP BY i.repository_id""",
        span,
    ):
        repos[repo_id].merge_hours = float(hours)
    for repo_id, hours in _rows(
        f"""SELECT repository_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)
            FROM ({_first_responses_sql()}) r GROUP BY repository_id""",
        span,
    ):
        repos[repo_id].first_response_hours = float(hours)
    return repos


def _first_responses_sql() -> str:
    """Issues and PRs opened in the month with the hours to the first reply by another account.

    A reply is a comment, a review or a review comment; the author's own replies do not
    count. Items nobody answered yet have no row (they have no time to first response).
    """
    replies = " UNION ALL ".join(
        f"SELECT issue_id, author_id, {column} AS at FROM {_t(model)}"
        for model, column in (
            (Comment, "created_at"),
            (Review, "submitted_at"),
            (ReviewComment, "created_at"),
        )
    )
    return f"""
        SELECT i.repository_id,
               extract(epoch FROM min(r.at) - i.created_at) / 3600 AS hours
        FROM {_t(Issue)} i
        JOIN ({replies}) r ON r.issue_id = i.id
             AND r.at IS NOT NULL AND r.author_id IS DISTINCT FROM i.author_id
        WHERE i.created_at >= %s AND i.created_at < %s
        GROUP BY i.id, i.repository_id, i.created_at
    """


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _contributors(period: ReportPeriod) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(new, returning) contributors of the month as (name, commits), most commits first.

    New means the person's first commit in any tracked repository falls in the month.
    """
    rows = _rows(
        f"""WITH authors AS ({_commit_authors_sql()}),
            month AS (
                SELECT who, min(label) AS label, count(*) AS commits FROM authors
                WHERE committed_at >= %s AND committed_at < %s AND who IS NOT NULL
                GROUP BY who),
            earlier AS (
                SELECT DISTINCT who FROM authors
                WHERE committed_at < %s AND who IN (SELECT who FROM month))
            SELECT m.label, m.commits, e.who IS NOT NULL
            FROM month m LEFT JOIN earlier e ON e.who = m.who
            ORDER BY m.commits DESC, m.label, m.who""",
        [period.start, period.end, period.start],
    )
    new = [(label or "?", commits) for label, commits, returning in rows if not returning]
    back = [(label or "?", commits) for label, commits, returning in rows if returning]
    return new, back


def _reviewers(period: ReportPeriod) -> list[tuple[str, int]]:
    join, key, label = _account_key_sql("r.author_id")
    return [
        (name or "?", reviews)
        for name, reviews in _rows(
            f"""SELECT min({label}), count(*) FROM {_t(Review)} r {join}
                WHERE r.submitted_at >= %s AND r.submitted_at < %s AND r.author_id IS NOT NULL
                GROUP BY {key} ORDER BY count(*) DESC, min({label})""",
            [period.start, period.end],
        )
    ]


def _commits_per_day(period: ReportPeriod) -> list[float]:
    per_day = dict(
        _rows(
            f"""SELECT extract(day FROM committed_at AT TIME ZONE 'UTC')::int, count(*)
                FROM {_t(Commit)} WHERE committed_at >= %s AND committed_at < %s GROUP BY 1""",
            [period.start, period.end],
        )
    )
    return [float(per_day.get(day, 0)) for day in range(1, period.days + 1)]


def _month_persons(period: ReportPeriod) -> int:
    """Distinct persons who committed in the month across all repositories."""
    ((count,),) = _rows(
        f"SELECT count(DISTINCT who) FROM ({_commit_authors_sql()}) c "
        "WHERE committed_at >= %s AND committed_at < %s",
        [period.start, period.end],
    )
    return count


def build_github_section(period: ReportPeriod) -> Section | None:
    """Activity per library, contributors and reviewers; None when no repository is stored."""
    repos = _activity(period)
    if not repos:
        return None
    rows = sorted(repos.values(), key=lambda a: (-a.activity, a.label))
    active = [a for a in rows if a.activity]
    idle = sorted(a.label for a in rows if not a.activity and a.libraries)
    new, returning = _contributors(period)
    reviewers = _reviewers(period)
    totals = {
        "commits": sum(a.commits for a in rows),
        "issues opened": sum(a.issues_opened for a in rows),
        "issues closed": sum(a.issues_closed for a in rows),
        "PRs opened": sum(a.prs_opened for a in rows),
        "PRs merged": sum(a.prs_merged for a in rows),
    }
    facts = [(name, str(value)) for name, value in totals.items()]
    facts += [
        ("contributors (persons)", str(_month_persons(period))),
        ("new contributors", str(len(new))),
        ("returning contributors", str(len(returning))),
        ("reviewers", str(len(reviewers))),
    ]
    top = active[:TOP]
    blocks: list[Table | Chart] = [
        Chart(
            key="top_libraries",
            title="Most active libraries (commits, issues and pull requests)",
            kind="hbar",
            labels=[a.label for a in top],
            series={
                "commits": [float(a.commits) for a in top],
                "issues opened": [float(a.issues_opened) for a in top],
                "PRs opened": [float(a.prs_opened) for a in top],
            },
        ),
        Chart(
            key="commits_per_day",
            title="Commits per day",
            kind="line",
            labels=[str(day) for day in range(1, period.days + 1)],
            series={"commits": _commits_per_day(period)},
            ylabel="commits",
        ),
        Table(
            key="activity_per_library",
            title="Activity per library",
            columns=[
                "library",
                "repository",
                "commits",
                "contributors",
                "issues opened",
                "issues closed",
                "PRs opened",
                "PRs merged",
                "median hours to first response",
                "median hours to merge",
            ],
            rows=[
                [
                    a.label,
                    a.repository,
                    a.commits,
                    a.contributors,
                    a.issues_opened,
                    a.issues_closed,
                    a.prs_opened,
                    a.prs_merged,
                    _hours(a.first_response_hours),
                    _hours(a.merge_hours),
                ]
                for a in active
            ],
            note="Libraries sharing a repository share its numbers. Response: the first "
            "comment or review by someone other than the author, for items opened this month.",
        ),
        Table(
            key="libraries_without_activity",
            title="Libraries with no activity",
            columns=["library"],
            rows=[[label] for label in idle],
        ),
        Chart(
            key="contributors",
            title="New and returning contributors",
            kind="bar",
            labels=["new", "returning"],
            series={"persons": [float(len(new)), float(len(returning))]},
            ylabel="persons",
        ),
        Table(
            key="new_contributors",
            title="New contributors",
            columns=["contributor", "commits"],
            rows=[[name, commits] for name, commits in new],
        ),
        Table(
            key="returning_contributors",
            title="Returning contributors",
            columns=["contributor", "commits"],
            rows=[[name, commits] for name, commits in returning],
        ),
        Table(
            key="reviewers",
            title="Reviewers",
            columns=["reviewer", "reviews"],
            rows=[[name, reviews] for name, reviews in reviewers],
        ),
    ]
    return Section(key="github", title="GitHub activity", facts=facts, blocks=blocks)


def contributors_between(start: object, end: object) -> list[tuple[str, int]]:
    """Persons with commits in [start, end), as (name, commits), most commits first."""
    return [
        (label or "?", commits)
        for label, commits in _rows(
            f"""SELECT min(label), count(*) FROM ({_commit_authors_sql()}) c
                WHERE committed_at >= %s AND committed_at < %s AND who IS NOT NULL
                GROUP BY who ORDER BY count(*) DESC, min(label), who""",
            [start, end],
        )
    ]
