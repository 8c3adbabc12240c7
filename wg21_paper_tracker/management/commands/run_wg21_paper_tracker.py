"""run_wg21_paper_tracker: the collector and the command that runs it.

The collector lives beside its command while it is small; move it to
collectors.py when this file grows.
"""

from __future__ import annotations

from typing import Any

from core.collectors import AbstractCollector, BaseCollectorCommand
from core.runs import CREATED, UPDATED
from wg21_paper_tracker import services


class Wg21PaperTrackerCollector(AbstractCollector):
    """Record one run per source key; replace collect() with the real collection."""

    def __init__(
        self,
        *,
        stdout: Any = None,
        style: Any = None,
        source_key: str = "default",
    ) -> None:
        super().__init__(stdout=stdout, style=style)
        self.source_key = source_key

    @property
    def name(self) -> str:
        return "wg21_paper_tracker"

    def validate_config(self) -> None:
        if not self.source_key or not self.source_key.strip():
            raise ValueError("source_key must not be empty")

    def collect(self) -> None:
        source_key = self.source_key.strip()
        _, created = services.record_run(source_key=source_key)
        self.count(CREATED if created else UPDATED)
        self.write(f"{self.name}: run recorded for source {source_key!r}; completed")


class Command(BaseCollectorCommand):
    help = "Run the wg21_paper_tracker collector."

    def get_collector(self, **_options: Any) -> AbstractCollector:
        return Wg21PaperTrackerCollector(stdout=self.stdout, style=self.style)
