"""A collector that succeeds, optionally after sleeping (for overlap tests)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandParser

from core.collectors import AbstractCollector, BaseCollectorCommand


class OkCollector(AbstractCollector):
    def __init__(self, *, sleep: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sleep = sleep

    @property
    def name(self) -> str:
        return "test_ok"

    def validate_config(self) -> None:
        """Nothing to check."""

    def collect(self) -> None:
        time.sleep(self.sleep)
        self.count("fetched", 1)


class Command(BaseCollectorCommand):
    help = "Test collector: succeeds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sleep", type=float, default=0.0)

    def get_collector(self, **options: Any) -> AbstractCollector:
        return OkCollector(stdout=self.stdout, style=self.style, sleep=options["sleep"])
