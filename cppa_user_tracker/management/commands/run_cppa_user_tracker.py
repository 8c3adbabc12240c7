"""Link stored GitHub accounts to people and report what the people tables hold.

The minimal inline collector: small enough that the collector class lives beside
its command.
"""

from __future__ import annotations

from typing import Any

from core.collectors import AbstractCollector, BaseCollectorCommand
from core.runs import CREATED
from cppa_user_tracker import selectors, services


class CppaUserTrackerCollector(AbstractCollector):
    @property
    def name(self) -> str:
        return "cppa_user_tracker"

    def validate_config(self) -> None:
        """Nothing to check: this collector reads only the project database."""

    def collect(self) -> None:
        created = services.create_people_for_unlinked_accounts()
        self.count(CREATED, created)
        totals = selectors.people_totals()
        self.write(
            f"{self.name}: {totals['people']} people, {totals['github_accounts']} GitHub accounts, "
            f"{totals['email_addresses']} email addresses, {totals['git_identities']} git "
            f"identities stored; {created} people created for unlinked accounts"
        )


class Command(BaseCollectorCommand):
    help = "Link GitHub accounts to people and report the people tables' totals."

    def get_collector(self, **_options: Any) -> AbstractCollector:
        return CppaUserTrackerCollector(stdout=self.stdout, style=self.style)
