"""Match new or changed profiles of every registered kind into persons.

The minimal inline collector: the engine lives in `services.matching`; this file
holds the flags and the summary line.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from core.collectors import AbstractCollector, BaseCollectorCommand
from core.runs import CREATED, FETCHED, UPDATED
from cppa_user_tracker import selectors
from cppa_user_tracker.registry import get_kind, registered_kinds
from cppa_user_tracker.rules import load_rules
from cppa_user_tracker.services.matching import MatchCounts, match_pending, read_profiles


class CppaUserTrackerCollector(AbstractCollector):
    def __init__(self, *, full: bool = False, kinds: list[str] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.full = full
        self.kind_names = kinds or []

    @property
    def name(self) -> str:
        return "cppa_user_tracker"

    def validate_config(self) -> None:
        """Check the matching rules in settings and the kinds asked for."""
        try:
            self.rules = load_rules()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.kinds = (
            [get_kind(n) for n in self.kind_names] if self.kind_names else registered_kinds()
        )

    def collect(self) -> None:
        counts = MatchCounts()
        for kind in self.kinds:
            read_profiles(kind=kind, rules=self.rules, full=self.full, counts=counts)
        match_pending(rules=self.rules, counts=counts)
        self.count(FETCHED, counts.read)
        self.count(CREATED, counts.people_created)
        self.count(UPDATED, counts.changed)
        totals = selectors.people_totals()
        self.write(
            f"{self.name}: {totals['people']} people, {totals['github_accounts']} GitHub accounts, "
            f"{totals['email_addresses']} email addresses, {totals['git_identities']} git "
            f"identities stored; {counts.read} profiles read, {counts.changed} new or changed, "
            f"{counts.people_created} people created, {counts.auto_merges} merged automatically, "
            f"{counts.recommendations} recommendations written "
            f"({totals['open_recommendations']} open)"
        )


class Command(BaseCollectorCommand):
    help = "Match new or changed profiles (GitHub, git, and every registered kind) into persons."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Re-read every profile, not only those changed since the last run.",
        )
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            metavar="KIND",
            help="Only this profile kind (repeatable); default: every registered kind.",
        )

    def get_collector(self, **options: Any) -> AbstractCollector:
        return CppaUserTrackerCollector(
            stdout=self.stdout,
            style=self.style,
            full=options.get("full", False),
            kinds=options.get("kinds"),
        )
