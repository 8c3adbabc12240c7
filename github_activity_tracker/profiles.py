"""The account profile step of `GitHubActivityCollector`: names, companies and web sites.

The accounts activity payloads bring (commit authors, issue users, reviewers) are
"simple user" objects: login, id, type, avatar, no name, company or blog. This step,
after the run's repositories, reads the profiles of the accounts that need it through
GraphQL, PROFILE_BATCH logins per query (one `repositoryOwner(login:)` alias each,
about one point per query), and stores them with
`cppa_user_tracker.services.record_github_profiles`, whose evidence the people matcher
reads (a full name with a company or a web site).

Which accounts: those never read, then those the run met (in a page it stored) whose
profile is older than GITHUB_ACTIVITY_PROFILE_REFRESH_DAYS (0 turns the step off), at
most GITHUB_ACTIVITY_PROFILES_PER_RUN a run. A run that met no stale account and
knows no unread one asks nothing: 0 points.

Answers: a user or organisation whose `databaseId` is the account's GitHub id is
stored (and stamped read); null (a bot: bots own no repositories; a deleted account)
or a NOT_FOUND error at its alias is stamped read, nothing learnt; a `databaseId` of
another account (the login was renamed and reused) is stamped read, not stored, with
one log line. Each batch is stored in its own transaction, so a failure keeps the
batches before it; any error but NOT_FOUND at one alias ends the run as the GraphQL
pull request stream does.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from core.http import GitHubClient
from cppa_user_tracker.items import GitHubAccountItem, GitHubProfileItem
from cppa_user_tracker.selectors import github_profiles_due
from cppa_user_tracker.services import record_github_profiles
from github_activity_tracker.graphql import ProfileGraphQLFetcher
from github_activity_tracker.pull_requests import GRAPHQL_POINTS

logger = logging.getLogger(__name__)

READ = "profiles_read"
CHANGED = "profiles_changed"
REUSED = "profiles_login_reused"
BAD = "profiles_unreadable"


def refresh_days() -> int:
    return int(settings.GITHUB_ACTIVITY_PROFILE_REFRESH_DAYS)


def account_ids(items: Iterable[Any]) -> set[int]:
    """The GitHub ids of every account an item names (author, assignees, merged by, ...)."""
    found: set[int] = set()
    for item in items:
        if not is_dataclass(item):
            continue
        for item_field in fields(item):
            value = getattr(item, item_field.name)
            for one in value if isinstance(value, tuple) else (value,):
                if isinstance(one, GitHubAccountItem):
                    found.add(one.github_id)
    return found


class AccountProfiles:
    """Mixin of `GitHubActivityCollector`: the account profile step."""

    # Provided by GitHubActivityCollector.
    name: Any
    count: Any
    write: Any
    seen_accounts: set[int]

    def _account_profiles(self, client: GitHubClient) -> None:
        days = refresh_days()
        if days <= 0:
            return
        now = timezone.now()
        due = github_profiles_due(
            seen=self.seen_accounts,
            stale_before=now - timedelta(days=days),
            limit=settings.GITHUB_ACTIVITY_PROFILES_PER_RUN,
        )
        # Logins are unique on GitHub at one moment, not among stored accounts (a
        # renamed login reused by someone else): one question per login.
        by_login: dict[str, list[int]] = defaultdict(list)
        for github_id, login in due:
            by_login[login].append(github_id)
        fetcher = ProfileGraphQLFetcher(
            client, on_cost=lambda cost: self.count(GRAPHQL_POINTS, cost)
        )
        for answer in fetcher.batches(list(by_login)):
            profiles: list[GitHubProfileItem] = []
            checked = [g for login in answer.absent for g in by_login[login]]
            for login, item in answer.found.items():
                for github_id in by_login[login]:
                    if item.github_id == github_id:
                        profiles.append(item)
                        continue
                    checked.append(github_id)
                    self.count(REUSED)
                    logger.info(
                        "GitHub login %s now belongs to account %s, not to stored account %s; "
                        "its profile is not stored there",
                        login,
                        item.github_id,
                        github_id,
                        extra={"collector": self.name},
                    )
            for login, problem in answer.bad.items():
                self.count(BAD)
                line = f"profile of {login}: {problem}; read again next run"
                logger.warning(line, extra={"collector": self.name})
                self.write(line, style="WARNING")
            changed = record_github_profiles(profiles=profiles, checked=checked, read_at=now)
            self.count(READ, len(profiles) + len(checked))
            if changed:
                self.count(CHANGED, changed)
