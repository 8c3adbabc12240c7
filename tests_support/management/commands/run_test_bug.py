"""A collector that fails with a bug of its own (a KeyError): category unknown."""

from __future__ import annotations

from typing import Any

from core.collectors import AbstractCollector, BaseCollectorCommand


class BuggyCollector(AbstractCollector):
    @property
    def name(self) -> str:
        return "test_bug"

    def validate_config(self) -> None:
        """Nothing to check."""

    def collect(self) -> None:
        payload: dict[str, str] = {}
        self.count("fetched", len(payload["items"]))


class Command(BaseCollectorCommand):
    help = "Test collector: fails with an unexpected KeyError."

    def get_collector(self, **options: Any) -> AbstractCollector:
        return BuggyCollector(stdout=self.stdout, style=self.style)
