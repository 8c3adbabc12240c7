"""The profile kinds the matcher reads; every app that keeps people registers its own.

An app keeps its profile rows (sender, member, author) in its own models and, in its
`AppConfig.ready`, registers a `ProfileKind`: which rows are profiles, when a row
changed, and the evidence one row gives (addresses, names, ids). The matcher links
each row to a person by (kind name, primary key) in its own `ProfileLink` table, so
the app needs no column, migration or write of its own. See the app README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError
from django.db.models import Model, QuerySet


@dataclass(frozen=True, slots=True)
class ProfileFacts:
    """What one profile row says about its owner, as the source wrote it.

    The matcher normalises everything (case, accents, `-at-` addresses, GitHub
    noreply addresses), so a kind passes raw values. `verified_emails` are addresses
    the source itself confirmed belong to this profile (a Slack profile email, an
    address GitHub tied to the account through a commit): sharing one is enough to
    merge. Plain `emails` only merge when another profile holds them verified.
    """

    label: str
    emails: tuple[str, ...] = ()
    verified_emails: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    github_ids: tuple[int, ...] = ()
    github_logins: tuple[str, ...] = ()
    repos: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProfileKind:
    """A kind of profile row: `name` is the key stored in `ProfileLink.kind`.

    `queryset()` returns every profile row (the matcher filters and pages it);
    `facts(row)` reads one row. `updated_field` names the row's change time
    (nullable is fine); without one only new rows (by primary key) are read again.
    `only` limits the columns read; `active(since, until)` (optional) lists the
    primary keys of profiles active in the range, for `selectors.contributors`.
    """

    name: str
    label: str
    queryset: Callable[[], QuerySet[Any]]
    facts: Callable[[Any], ProfileFacts]
    updated_field: str | None = "updated_at"
    only: tuple[str, ...] = field(default=())
    # Optional: primary keys of the profiles active in [since, until) (commits, posts).
    active: Callable[[datetime, datetime], Iterable[int]] | None = None

    def rows(self) -> QuerySet[Model]:
        rows = self.queryset()
        return rows.only(*self.only) if self.only else rows


Activity = Callable[[datetime, datetime], Iterable[int]]


@dataclass(frozen=True, slots=True)
class RepositoryProvider:
    """Repositories a kind's profiles were active in, kept by another app (commits, issues).

    `repositories(pks)` maps a page of profile primary keys to the `owner/repo` names
    each was active in (one query for the page; profiles without any may be left
    out). `changed_since(time)` lists the primary keys of profiles whose activity the
    app stored or changed from `time` on: the matcher re-reads them although their own
    rows did not change, so new activity reaches their evidence on the next run.
    """

    repositories: Callable[[Sequence[int]], Mapping[int, Iterable[str]]]
    changed_since: Callable[[datetime], Iterable[int]]


_kinds: dict[str, ProfileKind] = {}
_activity: dict[str, dict[str, Activity]] = {}
_repositories: dict[str, dict[str, RepositoryProvider]] = {}


def register_profile_kind(kind: ProfileKind) -> None:
    """Add a kind; registering the same name again replaces it (module reloads)."""
    if not kind.name or not kind.name.replace("_", "").isalnum() or len(kind.name) > 64:
        raise ValueError(f"profile kind name {kind.name!r} must be 1-64 letters, digits and _")
    _kinds[kind.name] = kind


def unregister_profile_kind(name: str) -> None:
    """Forget a kind (tests that register a throwaway kind)."""
    _kinds.pop(name, None)


def registered_kinds() -> list[ProfileKind]:
    return [_kinds[name] for name in sorted(_kinds)]


def get_kind(name: str) -> ProfileKind:
    """The registered kind called `name`; an unknown name is a one-line error."""
    if name not in _kinds:
        known = ", ".join(sorted(_kinds)) or "none"
        raise CommandError(f"unknown profile kind {name!r}; registered kinds: {known}")
    return _kinds[name]


def register_activity(kind: str, name: str, active: Activity) -> None:
    """Add a list of `kind` profiles active in a date range, kept by another app.

    `name` identifies the provider, so registering it again replaces it.
    """
    _activity.setdefault(kind, {})[name] = active


def activity_of(kind: ProfileKind) -> list[Activity]:
    found = [] if kind.active is None else [kind.active]
    return found + [_activity[kind.name][n] for n in sorted(_activity.get(kind.name, {}))]


def register_repositories(
    kind: str,
    name: str,
    *,
    repositories: Callable[[Sequence[int]], Mapping[int, Iterable[str]]],
    changed_since: Callable[[datetime], Iterable[int]],
) -> None:
    """Add the repositories `kind` profiles were active in, kept by another app.

    `name` identifies the provider, so registering it again replaces it. See
    `RepositoryProvider` for the two callables.
    """
    _repositories.setdefault(kind, {})[name] = RepositoryProvider(repositories, changed_since)


def unregister_repositories(kind: str, name: str) -> None:
    """Forget a provider (tests that register a throwaway one)."""
    _repositories.get(kind, {}).pop(name, None)


def repositories_of(kind: ProfileKind) -> list[RepositoryProvider]:
    return [_repositories[kind.name][n] for n in sorted(_repositories.get(kind.name, {}))]
