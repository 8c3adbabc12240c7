"""Reads of the people tables that other apps and commands may use.

Other apps ask about persons through these functions with a profile's (kind,
primary key), never by reading `ProfileLink` or another app's profile table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F, Q

from cppa_user_tracker.items import GitIdentityItem
from cppa_user_tracker.models import (
    EmailAddress,
    GitHubAccount,
    GitIdentity,
    MergeLog,
    Person,
    ProfileLink,
    Recommendation,
    RecommendationStatus,
)
from cppa_user_tracker.registry import activity_of, get_kind, registered_kinds

ProfileRef = tuple[str, int]


def people_totals() -> dict[str, int]:
    """Return how many people, accounts, email addresses, identities and links are stored."""
    return {
        "people": Person.objects.count(),
        "github_accounts": GitHubAccount.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "git_identities": GitIdentity.objects.count(),
        "profiles": ProfileLink.objects.count(),
        "open_recommendations": Recommendation.objects.filter(
            status=RecommendationStatus.OPEN
        ).count(),
    }


def github_account_ids(*, github_ids: Iterable[int]) -> dict[int, int]:
    """Map GitHub numeric ids to our account primary keys, in one query.

    Other apps link rows to accounts they have just upserted; asking per row would
    cost one round trip each.
    """
    wanted = set(github_ids)
    if not wanted:
        return {}
    rows = GitHubAccount.objects.filter(github_id__any_of=wanted).values_list("github_id", "id")
    return dict(rows)


def github_profiles_due(
    *, seen: Iterable[int], stale_before: datetime, limit: int
) -> list[tuple[int, str]]:
    """(GitHub id, login) of the accounts whose profile a collector should read, at most `limit`.

    Accounts never read come first (oldest stored first), then those among `seen`
    (GitHub ids a run met) last read before `stale_before`.
    """
    due = Q(profile_read_at__isnull=True)
    wanted = set(seen)
    if wanted:
        due |= Q(github_id__any_of=wanted, profile_read_at__lt=stale_before)
    rows = (
        GitHubAccount.objects.filter(due)
        .order_by(F("profile_read_at").asc(nulls_first=True), "id")
        .values_list("github_id", "login")[: max(limit, 0)]
    )
    return list(rows)


def count_github_profiles_due(*, stale_before: datetime) -> tuple[int, int]:
    """(never read, read before `stale_before`) account counts: what a profile step may read."""
    return (
        GitHubAccount.objects.filter(profile_read_at__isnull=True).count(),
        GitHubAccount.objects.filter(profile_read_at__lt=stale_before).count(),
    )


def git_identity_ids(*, items: Iterable[GitIdentityItem]) -> dict[tuple[str, str], int]:
    """Map identities, by their stored (name, email) key, to primary keys in one query."""
    keys = {item.key for item in items}
    if not keys:
        return {}
    names, emails = zip(*keys, strict=True)
    table = connection.ops.quote_name(GitIdentity._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, email, id FROM {table} "
            "WHERE (name, email) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
            [list(names), list(emails)],
        )
        return {(name, email): pk for name, email, pk in cursor.fetchall()}


def person_for(*, kind: str, profile_id: int) -> Person | None:
    """The person a profile belongs to, or None before the matcher has placed it."""
    link = (
        ProfileLink.objects.select_related("person")
        .filter(kind=kind, profile_id=profile_id)
        .first()
    )
    return None if link is None else link.person


def people_for(*, profiles: Iterable[ProfileRef]) -> dict[ProfileRef, int]:
    """Map (kind, primary key) → person id for the placed ones, one query per kind."""
    by_kind: dict[str, set[int]] = {}
    for kind, pk in profiles:
        by_kind.setdefault(kind, set()).add(pk)
    found: dict[ProfileRef, int] = {}
    for kind, pks in by_kind.items():
        rows = ProfileLink.objects.filter(
            kind=kind, profile_id__in=pks, person__isnull=False
        ).values_list("profile_id", "person_id")
        found.update({(kind, pk): person for pk, person in rows})
    return found


def count_people(*, profiles: Iterable[ProfileRef]) -> int:
    """How many distinct humans these profiles are: one person with three profiles is one.

    A profile the matcher has not placed yet counts as a human of its own.
    """
    wanted = set(profiles)
    placed = people_for(profiles=wanted)
    return len(set(placed.values())) + len(wanted - placed.keys())


def contributors(*, since: datetime, until: datetime) -> set[int]:
    """Persons active in [since, until) in any source that reports activity, counted once.

    A kind reports activity through `ProfileKind.active` or `registry.register_activity`
    (an app whose rows show activity of another app's profiles, as commits do).
    """
    refs = [
        (kind.name, pk)
        for kind in registered_kinds()
        for active in activity_of(kind)
        for pk in active(since, until)
    ]
    return set(people_for(profiles=refs).values())


@dataclass(frozen=True, slots=True)
class ProfileView:
    kind: str
    kind_label: str
    profile_id: int
    label: str
    manual: bool
    reason: list
    evidence: list[tuple[str, str, bool]]


def profiles_of(*, person: Person | int) -> list[ProfileView]:
    """Every profile of a person with its source and the evidence that placed it."""
    links = ProfileLink.objects.filter(person=person).prefetch_related("evidence").order_by("id")
    return [
        ProfileView(
            kind=link.kind,
            kind_label=_kind_label(link.kind),
            profile_id=link.profile_id,
            label=link.label,
            manual=link.manual,
            reason=link.reason,
            evidence=[(e.kind, e.value, e.verified) for e in link.evidence.all()],
        )
        for link in links
    ]


def person_history(*, person: Person | int) -> list[MergeLog]:
    """The audit entries that moved any of the person's profiles, newest first."""
    pk = person if isinstance(person, int) else person.pk
    keys = [str(k) for k in ProfileLink.objects.filter(person_id=pk).values_list("id", flat=True)]
    return list(MergeLog.objects.filter(Q(before__has_any_keys=keys) | Q(after__has_any_keys=keys)))


def open_recommendations(*, limit: int = 50, min_score: float = 0.0) -> list[Recommendation]:
    """Open recommendations between profiles still in different persons, best first."""
    return list(
        Recommendation.objects.filter(status=RecommendationStatus.OPEN, score__gte=min_score)
        .exclude(first__person=F("second__person"))
        .select_related("first", "second")
        .order_by("-score", "id")[:limit]
    )


def _kind_label(name: str) -> str:
    try:
        return get_kind(name).label
    except CommandError:  # a kind whose app is no longer installed
        return name
