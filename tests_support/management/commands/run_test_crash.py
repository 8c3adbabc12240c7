"""A plain Django command (not a collector) that raises an unexpected exception."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Test command: raises RuntimeError."

    def handle(self, *args: Any, **options: Any) -> None:
        raise RuntimeError("unexpected state in test command")
