"""What a run did to each mailing, shown as a rich table, plain lines or JSON.

On a terminal the command draws a table (one row per mailing read: papers, new,
changed, quarantined, what happened); piped or scheduled it writes one plain line
per mailing, which logs and mail keep readable; `--format json` writes one JSON
object on one line for scripts. A dry run says "would add" / "would change".
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from io import StringIO
from typing import Any

from rich.console import Console
from rich.table import Table

# What happened to a mailing in a run.
READ = "read"  # its section was parsed and stored
EMPTY = "empty"  # listed, but its page shows no papers yet: retried next run
FAILED = "failed"  # its page could not be fetched: retried next run
MISSING = "missing"  # its year page has no anchor for it: retried next run


@dataclass
class MailingReport:
    mailing_id: str
    title: str = ""
    outcome: str = READ
    papers: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    not_modified: bool = False
    error: str = ""


@dataclass
class RunReport:
    dry_run: bool = False
    mailings: list[MailingReport] = field(default_factory=list)

    def add(self, report: MailingReport) -> MailingReport:
        self.mailings.append(report)
        return report

    def as_json(self) -> str:
        return json.dumps(
            {"dry_run": self.dry_run, "mailings": [asdict(m) for m in self.mailings]},
            ensure_ascii=False,
        )

    def _what(self, report: MailingReport) -> str:
        if report.outcome != READ:
            return report.outcome + (f": {report.error}" if report.error else "")
        return "unchanged (304)" if report.not_modified and not report.created else "read"

    def lines(self) -> list[str]:
        add, change = ("would add", "would change") if self.dry_run else ("new", "changed")
        return [
            f"{m.mailing_id} {m.title or '-'}: {m.papers} papers, {m.created} {add}, "
            f"{m.updated} {change}, {m.quarantined} quarantined ({self._what(m)})"
            for m in self.mailings
        ]

    def table(self, *, width: int = 120) -> str:
        add, change = ("Would add", "Would change") if self.dry_run else ("New", "Changed")
        table = Table(
            title="WG21 mailings" + (" (dry run: nothing written)" if self.dry_run else "")
        )
        for name, justify in (
            ("Mailing", "left"),
            ("Title", "left"),
            ("Papers", "right"),
            (add, "right"),
            (change, "right"),
            ("Quarantined", "right"),
            ("", "left"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for m in self.mailings:
            style = "red" if m.outcome == FAILED else ("yellow" if m.outcome != READ else None)
            table.add_row(
                m.mailing_id,
                m.title,
                str(m.papers),
                str(m.created),
                str(m.updated),
                str(m.quarantined),
                self._what(m),
                style=style,
            )
        buffer = StringIO()
        Console(file=buffer, force_terminal=True, width=width).print(table)
        return buffer.getvalue().rstrip("\n")


def render(report: RunReport, *, output_format: str, terminal: bool) -> str:
    """The report as the command prints it: JSON, a rich table (terminal) or lines."""
    if output_format == "json":
        return report.as_json()
    if not report.mailings:
        return "no mailings to read"
    return report.table() if terminal else "\n".join(report.lines())


def is_terminal(stdout: Any) -> bool:
    stream = getattr(stdout, "_out", stdout)
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
