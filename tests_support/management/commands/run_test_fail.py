"""A collector that fails with a rate-limit error."""

from __future__ import annotations

from typing import Any

from core.collectors import AbstractCollector, BaseCollectorCommand
from core.errors import RateLimitExhausted


class FailCollector(AbstractCollector):
    @property
    def name(self) -> str:
        return "test_fail"

    def validate_config(self) -> None:
        """Nothing to check."""

    def collect(self) -> None:
        raise RateLimitExhausted("test source: rate limit spent", wait_seconds=60)


class Command(BaseCollectorCommand):
    help = "Test collector: fails with rate_limit."

    def get_collector(self, **options: Any) -> AbstractCollector:
        return FailCollector(stdout=self.stdout, style=self.style)
