"""The `--archive` and `--replay PATH` flags, shared by every collector command.

A command calls `add_http_arguments(parser)` in `add_arguments` and passes the
parsed options to `HttpOptions.from_options`; the collector then builds its client
with `options.transport()` (or `github_client`), so archive and replay work the same
in every collector and no collector touches httpx.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from django.core.management.base import CommandError, CommandParser

from core.http.archive import ArchiveWriter, ArchivingTransport, new_archive_dir
from core.http.github import GitHubClient
from core.http.replay import ReplayTransport, archive_problem
from core.http.slack import SlackClient
from core.runs import RunCounters


def add_http_arguments(parser: CommandParser) -> None:
    """Add --archive and --replay PATH to a collector command's parser."""
    parser.add_argument(
        "--archive",
        action="store_true",
        help="Keep every raw response under WORKSPACE_DIR/raw/<source>/<run>/ (tokens removed).",
    )
    parser.add_argument(
        "--replay",
        metavar="PATH",
        type=Path,
        help="Re-parse a raw archive (a responses.jsonl.gz file or a folder) without the network.",
    )


@dataclass(frozen=True)
class HttpOptions:
    """Where responses come from (network or an archive) and whether to archive them."""

    archive_dir: Path | None = None
    replay_path: Path | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, source: str) -> HttpOptions:
        """Check the two flags and fix the archive folder for this run."""
        replay = options.get("replay")
        archive = bool(options.get("archive"))
        if replay is not None and archive:
            raise CommandError(
                "--archive and --replay cannot be combined: a replay reads an archive; "
                "drop one of them"
            )
        problem = None if replay is None else archive_problem(Path(replay))
        if problem is not None:
            raise CommandError(
                f"--replay {replay}: {problem}; pass a responses.jsonl.gz file "
                "or a folder under WORKSPACE_DIR/raw/"
            )
        return cls(
            archive_dir=new_archive_dir(source=source) if archive else None,
            replay_path=Path(replay) if replay is not None else None,
        )

    def transport(self, *, inner: httpx.BaseTransport | None = None) -> httpx.BaseTransport | None:
        """Return the transport to build a client with; None means plain network."""
        if self.replay_path is not None:
            return ReplayTransport(self.replay_path)
        if self.archive_dir is not None:
            return ArchivingTransport(
                inner or httpx.HTTPTransport(), ArchiveWriter(self.archive_dir)
            )
        return inner

    def github_client(self, *, counters: RunCounters | None = None, **kwargs: Any) -> GitHubClient:
        """Build a GitHubClient reading from the network, archiving, or replaying."""
        inner = kwargs.pop("transport", None)
        return GitHubClient(counters=counters, transport=self.transport(inner=inner), **kwargs)

    def slack_client(
        self, *, token: str, counters: RunCounters | None = None, **kwargs: Any
    ) -> SlackClient:
        """Build a SlackClient for one team's token, reading from the network, archiving,
        or replaying."""
        inner = kwargs.pop("transport", None)
        return SlackClient(
            token=token, counters=counters, transport=self.transport(inner=inner), **kwargs
        )
