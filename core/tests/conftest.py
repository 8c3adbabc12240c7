"""Collectors and commands built for the framework tests.

`RecordingCollector` records the order in which the framework calls its hooks and
can be told to fail in any of them, so lifecycle tests observe the real
`BaseCollectorCommand` rather than a mock of it.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from core.collectors import AbstractCollector, BaseCollectorCommand


class RecordingCollector(AbstractCollector):
    def __init__(
        self, *, stdout: Any = None, style: Any = None, fail_in: str = "", error: Any = None
    ):
        super().__init__(stdout=stdout, style=style)
        self.events: list[str] = []
        self.fail_in = fail_in
        self.error = error or RuntimeError(f"failure in {fail_in}")
        self.phases_seen: list[str | None] = []
        self.handled: list[BaseException] = []

    @property
    def name(self) -> str:
        return "recording"

    def _step(self, hook: str) -> None:
        self.events.append(hook)
        self.phases_seen.append(self._error_phase)
        if self.fail_in == hook:
            raise self.error

    def validate_config(self) -> None:
        self._step("validate_config")

    def collect(self) -> None:
        self._step("collect")
        self.count("fetched", 3)
        self.count("created", 2)

    def sync_pinecone(self) -> None:
        self._step("sync_pinecone")

    def handle_error(self, exc: BaseException) -> None:
        self.events.append("handle_error")
        self.handled.append(exc)
        super().handle_error(exc)


class RecordingCommand(BaseCollectorCommand):
    help = "A collector command for framework tests."

    def __init__(self, collector_factory: Callable[..., AbstractCollector], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.collector_factory = collector_factory
        self.built: list[AbstractCollector] = []

    def get_collector(self, **options: Any) -> AbstractCollector:
        collector = self.collector_factory(stdout=self.stdout, style=self.style)
        self.built.append(collector)
        return collector


@pytest.fixture
def run_recording() -> Callable[..., tuple[RecordingCommand, str]]:
    """Run a RecordingCommand via call_command; return the command and its stdout."""

    def runner(
        factory: Callable[..., AbstractCollector], *args: str
    ) -> tuple[RecordingCommand, str]:
        out = StringIO()
        command = RecordingCommand(factory)
        try:
            call_command(command, *args, stdout=out)
        finally:
            command.output = out.getvalue()  # type: ignore[attr-defined]
        return command, out.getvalue()

    return runner
