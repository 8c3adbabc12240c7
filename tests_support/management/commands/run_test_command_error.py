"""A collector that stops with a CommandError of exit code 3."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from core.collectors import AbstractCollector, BaseCollectorCommand


class ConfigErrorCollector(AbstractCollector):
    @property
    def name(self) -> str:
        return "test_command_error"

    def validate_config(self) -> None:
        raise CommandError("TEST_TOKEN is not set; add it to .env", returncode=3)

    def collect(self) -> None:
        """Never reached: validation fails."""


class Command(BaseCollectorCommand):
    help = "Test collector: CommandError with exit code 3."

    def get_collector(self, **options: Any) -> AbstractCollector:
        return ConfigErrorCollector(stdout=self.stdout, style=self.style)
