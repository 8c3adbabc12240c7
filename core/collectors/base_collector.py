"""`AbstractCollector`: the contract every collector implements.

A collector is built by its management command and run in two phases: `run()`
(validate, then collect) and `sync_pinecone()` (post-run search-index sync).
`run()` is fixed here so the order can't drift between collectors: validation
always happens before any I/O.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from core.errors import classify_failure
from core.logging import wants_traceback
from core.progress import RunProgress
from core.runs import RunCounters

logger = logging.getLogger(__name__)


class AbstractCollector(ABC):
    """Base class of every collector; subclasses implement `name`, `validate_config`, `collect`."""

    def __init__(self, *, stdout: Any = None, style: Any = None) -> None:
        # stdout/style may be None in unit tests; `write` tolerates that.
        self.stdout = stdout
        self.style = style
        self.counters = RunCounters()
        self._error_phase: str | None = None
        # Set by the command from --traceback / -v 2: log tracebacks of every failure.
        self.verbose_errors = False
        # Set by the command: a live display on a terminal, a no-op otherwise.
        self.progress = RunProgress()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "run" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides run(); implement validate_config() and collect() "
                "instead (run() always validates before collecting)"
            )

    @property
    @abstractmethod
    def name(self) -> str:
        """Stable, non-empty slug used in logs, metrics and the run ledger."""

    @abstractmethod
    def validate_config(self) -> None:
        """Check configuration quickly, without network: ValueError or CommandError."""

    @abstractmethod
    def collect(self) -> None:
        """Fetch and store data; every database write goes through the app's services."""

    def run(self) -> None:
        """Validate, then collect. Do not override."""
        self.validate_config()
        self.collect()

    def sync_pinecone(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Push what the run stored to the search index. Default: nothing to sync."""

    def handle_error(self, exc: BaseException) -> None:
        """Log a failure once, with its category and phase. Never swallows it.

        One line for a failure of a known category; the traceback is attached only
        when `wants_traceback` says it helps.
        """
        category = classify_failure(exc)
        show_stack = wants_traceback(category.value, verbose=self.verbose_errors)
        logger.error(
            "%s failed in phase %s (%s): %s",
            self.name,
            self._error_phase or "-",
            category.value,
            exc,
            exc_info=exc if show_stack else None,
            extra={
                "collector": self.name,
                "collector_phase": self._error_phase or "-",
                "failure_category": category.value,
            },
        )

    def count(self, name: str, amount: int = 1) -> None:
        """Add to a run counter (fetched, created, updated, api_requests, ...)."""
        self.counters.add(name, amount)

    def write(self, message: str, *, style: str = "") -> None:
        """Write a line to the command's stdout, styled when a style is available."""
        if self.stdout is None:
            return
        if style and self.style is not None:
            message = getattr(self.style, style)(message)
        self.stdout.write(message)
