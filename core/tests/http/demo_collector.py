"""A minimal collector on the access layer, as a real one would be written.

It reads the recorded octokit issue pages through `GitHubClient` and keeps the
items in memory: enough to check counters in the ledger and --archive/--replay
end to end, without a collector app (those come in later issues).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from core.collectors import AbstractCollector, BaseCollectorCommand
from core.http import HttpOptions, add_http_arguments
from core.tests.http.conftest import ISSUES_PARAMS, ISSUES_PATH


class DemoIssuesCollector(AbstractCollector):
    def __init__(self, *, http: HttpOptions, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.http = http
        self.items: list[dict] = []

    @property
    def name(self) -> str:
        return "demo_issues"

    def validate_config(self) -> None:
        """Nothing to check: the client reads its settings itself."""

    def collect(self) -> None:
        with self.http.github_client(counters=self.counters) as client:
            for page in client.pages(ISSUES_PATH, params=ISSUES_PARAMS):
                self.items.extend(page.items)
                self.count("fetched", len(page.items))


class DemoIssuesCommand(BaseCollectorCommand):
    help = "Read the recorded octokit issues (tests only)."

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.collector: DemoIssuesCollector | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        add_http_arguments(parser)

    def get_collector(self, **options: Any) -> DemoIssuesCollector:
        http = HttpOptions.from_options(options, source="demo")
        self.collector = DemoIssuesCollector(stdout=self.stdout, style=self.style, http=http)
        return self.collector
