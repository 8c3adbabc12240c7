"""A live progress display for long collector runs, on a terminal only.

A run over 170 repositories takes hours; a person at a terminal wants to see where
it is (repository 12 of 170, the stream, pages, items, requests left). `rich` draws
it in place. When stdout is not a terminal (cron, Celery, a pipe, tests) or the
command got `--no-progress`, nothing is drawn and the output is the plain lines it
always was: logging and the one-line summary never change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Item = TypeVar("Item")


class RunProgress:
    """Where a run is: scope i of n, and what it is reading now. A no-op when off."""

    def __init__(self, *, stream: Any = None, enabled: bool = False) -> None:
        self._progress: Progress | None = None
        self._task: Any = None
        self._fields = {"stream": "", "pages": 0, "items": 0, "requests": ""}
        self._requests_left: Callable[[], int | None] = lambda: None
        if enabled and stream is not None:
            console = Console(file=stream, force_terminal=True)
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[stream]} · {task.fields[pages]} pages"),
                TextColumn("· {task.fields[items]} items {task.fields[requests]}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def scopes(self, scopes: Iterable[Item], *, total: int, noun: str) -> Iterator[Item]:
        """Yield each scope (a repository, a list, a channel) while showing 'noun i of n'."""
        if self._progress is None:
            yield from scopes
            return
        with self._progress:
            self._task = self._progress.add_task(noun, total=total, **self._fields)
            for scope in scopes:
                # Drawn now, not at the next tick: a quick scope would otherwise never show.
                self._progress.update(self._task, description=f"{noun} {scope}", refresh=True)
                yield scope
                self._progress.advance(self._task)

    def watch_budget(self, requests_left: Callable[[], int | None]) -> None:
        """Show the source's remaining request budget, read after each page."""
        self._requests_left = requests_left

    def page(self, *, stream: str, items: int) -> None:
        """Note one more page of `items` read from `stream`."""
        if self._progress is None or self._task is None:
            return
        self._fields["stream"] = stream
        self._fields["pages"] = int(self._fields["pages"]) + 1
        self._fields["items"] = int(self._fields["items"]) + items
        left = self._requests_left()
        if left is not None:
            self._fields["requests"] = f"· {left} requests left"
        self._progress.update(self._task, **self._fields)


def for_command(stdout: Any, *, no_progress: bool) -> RunProgress:
    """The display for a command: on when stdout is a terminal and not turned off."""
    stream = getattr(stdout, "_out", stdout)  # Django's OutputWrapper adds newlines; skip it
    isatty = getattr(stream, "isatty", None)
    return RunProgress(stream=stream, enabled=not no_progress and bool(isatty and isatty()))
