"""Helpers for the people tests: run the matcher, read the grouping, a plug-in kind."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from cppa_user_tracker.models import EmailAddress, ProfileLink
from cppa_user_tracker.registry import (
    ProfileFacts,
    ProfileKind,
    register_profile_kind,
    unregister_profile_kind,
)

# A stand-in for another app's profile rows (a mailing-list sender by address): the
# EmailAddress table, registered the way a source app registers its own kind.
SENDER = "test_sender"


def match(*args: str) -> str:
    out = StringIO()
    call_command("run_cppa_user_tracker", *args, stdout=out)
    return out.getvalue()


def person_of(kind: str, pk: int) -> int | None:
    return ProfileLink.objects.get(kind=kind, profile_id=pk).person_id


def grouping() -> dict[tuple[str, int], int | None]:
    return {
        (kind, pk): person
        for kind, pk, person in ProfileLink.objects.values_list("kind", "profile_id", "person_id")
    }


def partition() -> set[frozenset[tuple[str, int]]]:
    """The grouping without person ids: which profiles are together."""
    groups: dict[int | None, set[tuple[str, int]]] = {}
    for ref, person in grouping().items():
        groups.setdefault(person, set()).add(ref)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture
def sender_kind() -> Iterator[ProfileKind]:
    kind = ProfileKind(
        name=SENDER,
        label="mailing-list sender",
        queryset=lambda: EmailAddress.objects.all(),
        facts=lambda row: ProfileFacts(label=row.address, emails=(row.address,)),
        updated_field=None,
    )
    register_profile_kind(kind)
    yield kind
    unregister_profile_kind(SENDER)
