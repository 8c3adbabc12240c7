"""A small database whose report numbers are worked out by hand in the tests' comments.

May 2024. People: Alice is a person with an account (alice) and a git identity that
has no account; Bob has an account (bob) and an identity linked to it, no person;
Carol is only a git identity; Dave only an account; Erin a person with an identity
(and the account erin). Repositories: boostorg/json (library json), boostorg/algorithm
(libraries algorithm, algorithm/minmax), boostorg/beast (library beast, idle in May),
boostorg/website-v2 (no library). Releases: boost-1.85.0 (2024-04-15) with json and
the two algorithm libraries; boost-1.86.0 (2024-05-14) adds beast and changes json's
description.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count

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

_ids = count(1000)


def at(text: str) -> datetime:
    """`2024-05-02 10:00` as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class ActivityDb:
    repos: dict[str, Repository]
    accounts: dict[str, GitHubAccount]
    identities: dict[str, GitIdentity]
    issues: dict[int, Issue]


def _repo(name: str) -> Repository:
    return Repository.objects.create(
        github_id=next(_ids),
        owner="boostorg",
        name=name,
        full_name=f"boostorg/{name}",
        topics=["c++", name, {"note": 'naïve "quoted"\ttab'}],
    )


def _commit(repo: Repository, when: str, *, author=None, account=None) -> Commit:
    return Commit.objects.create(
        repository=repo,
        sha=f"{next(_ids):040x}",
        message="change",
        author=author,
        author_account=account,
        authored_at=at(when),
        committed_at=at(when),
    )


def _issue(
    repo: Repository,
    number: int,
    author: GitHubAccount,
    created: str,
    *,
    closed: str | None = None,
    pr: bool = False,
    merged: str | None = None,
) -> Issue:
    ended = closed or merged
    issue = Issue.objects.create(
        repository=repo,
        github_id=next(_ids),
        number=number,
        is_pull_request=pr,
        title=f"item {number}",
        state="closed" if ended else "open",
        author=author,
        created_at=at(created),
        updated_at=at(ended or created),
        closed_at=at(ended) if ended else None,
    )
    if pr:
        PullRequest.objects.create(
            issue=issue,
            github_id=next(_ids),
            merged=merged is not None,
            merged_at=at(merged) if merged else None,
        )
    return issue


def _catalogue() -> None:
    old = BoostVersion.objects.create(
        name="boost-1.85.0", major=1, minor=85, patch=0, released_at=at("2024-04-15 12:00")
    )
    new = BoostVersion.objects.create(
        name="boost-1.86.0", major=1, minor=86, patch=0, released_at=at("2024-05-14 12:00")
    )
    libraries = {
        key: Library.objects.create(key=key, name=key, repo_name=repo, superproject_path=repo)
        for key, repo in [
            ("json", "json"),
            ("algorithm", "algorithm"),
            ("algorithm/minmax", "algorithm"),
            ("beast", "beast"),
        ]
    }
    for key in ("json", "algorithm", "algorithm/minmax"):
        LibraryVersion.objects.create(
            library=libraries[key], version=old, name=key, description=f"{key} (1.85)"
        )
    for key in ("json", "algorithm", "algorithm/minmax", "beast"):
        description = f"{key} (1.86)" if key == "json" else f"{key} (1.85)"
        LibraryVersion.objects.create(
            library=libraries[key], version=new, name=key, description=description
        )


def build_activity_db() -> ActivityDb:
    alice = Person.objects.create(display_name="Alice Adams")
    erin_person = Person.objects.create(display_name="")
    accounts = {
        login: GitHubAccount.objects.create(github_id=next(_ids), login=login)
        for login in ("alice", "bob", "dave", "erin")
    }
    identities = {
        "alice": GitIdentity.objects.create(name="Alice A", email="alice@example.org"),
        "bob": GitIdentity.objects.create(
            name="Bob", email="bob@example.org", account=accounts["bob"]
        ),
        "carol": GitIdentity.objects.create(name="Carol", email="carol@example.org"),
        "erin": GitIdentity.objects.create(name="Erin", email="erin@example.org"),
    }
    # Profiles point at persons through their links; collected rows are never rewritten.
    for kind, profile, person in [
        (GITHUB_ACCOUNT, accounts["alice"], alice),
        (GITHUB_ACCOUNT, accounts["erin"], erin_person),
        (GIT_IDENTITY, identities["alice"], alice),
        (GIT_IDENTITY, identities["erin"], erin_person),
    ]:
        ProfileLink.objects.create(
            kind=kind, profile_id=profile.pk, person=person, evidence_hash="", needs_match=False
        )
    repos = {name: _repo(name) for name in ("json", "algorithm", "beast", "website-v2")}
    json_repo, algorithm = repos["json"], repos["algorithm"]
    # Before May: Bob and Erin have contributed already (returning in May).
    _commit(json_repo, "2024-03-01 09:00", author=identities["bob"])
    _commit(algorithm, "2024-04-01 09:00", author=identities["erin"])
    # May, boostorg/json: 5 commits by 3 persons (Alice three times, through her
    # identity, her identity + account, and her account alone).
    _commit(json_repo, "2024-05-02 09:00", author=identities["alice"])
    _commit(json_repo, "2024-05-03 09:00", author=identities["alice"], account=accounts["alice"])
    _commit(json_repo, "2024-05-04 09:00", account=accounts["alice"])
    _commit(json_repo, "2024-05-05 09:00", author=identities["bob"])
    _commit(json_repo, "2024-05-06 09:00", author=identities["carol"])
    # May, boostorg/algorithm: Bob (identity and account: one contributor) and Erin.
    _commit(algorithm, "2024-05-10 09:00", author=identities["bob"], account=accounts["bob"])
    _commit(algorithm, "2024-05-20 09:00", author=identities["erin"])
    _commit(repos["website-v2"], "2024-05-15 09:00", account=accounts["alice"])
    _commit(json_repo, "2024-06-01 09:00", author=identities["carol"])  # June: not counted

    bob, dave, alice_acc = accounts["bob"], accounts["dave"], accounts["alice"]
    issues = {
        # Opened and closed in May; Bob's own comment is not a response; Dave's after 6 h is.
        1: _issue(json_repo, 1, bob, "2024-05-01 00:00", closed="2024-05-03 00:00"),
        # Opened in April, closed in May: counts as closed only.
        2: _issue(json_repo, 2, dave, "2024-04-20 00:00", closed="2024-05-02 00:00"),
        # Merged after 60 h; Dave's review after 10 h is the first response.
        3: _issue(json_repo, 3, alice_acc, "2024-05-02 00:00", pr=True, merged="2024-05-04 12:00"),
        # Merged after 24 h; Alice's review comment after 2 h is the first response.
        4: _issue(json_repo, 4, bob, "2024-05-10 00:00", pr=True, merged="2024-05-11 00:00"),
        # Open, never answered: no time to first response.
        5: _issue(json_repo, 5, alice_acc, "2024-05-20 00:00", pr=True),
    }
    Comment.objects.create(
        issue=issues[1], github_id=next(_ids), author=bob,
        created_at=at("2024-05-01 01:00"), updated_at=at("2024-05-01 01:00"),
    )  # fmt: skip
    Comment.objects.create(
        issue=issues[1], github_id=next(_ids), author=dave,
        created_at=at("2024-05-01 06:00"), updated_at=at("2024-05-01 06:00"),
    )  # fmt: skip
    for issue, author, when in [
        (issues[3], dave, "2024-05-02 10:00"),
        (issues[3], accounts["erin"], "2024-05-03 10:00"),
        (issues[4], alice_acc, "2024-05-10 03:00"),
        (issues[4], dave, "2024-06-02 10:00"),  # June: not a May review
    ]:
        Review.objects.create(
            issue=issue, github_id=next(_ids), author=author, state="APPROVED",
            submitted_at=at(when),
        )  # fmt: skip
    ReviewComment.objects.create(
        issue=issues[4], github_id=next(_ids), author=alice_acc, body="nit",
        created_at=at("2024-05-10 02:00"), updated_at=at("2024-05-10 02:00"),
    )  # fmt: skip
    _catalogue()
    return ActivityDb(repos=repos, accounts=accounts, identities=identities, issues=issues)
