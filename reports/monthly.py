"""`MonthlyReportCollector`: build the month's sections and write the report files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from core.collectors import AbstractCollector
from reports import render, services
from reports.sections import ReportPeriod, build_sections


def default_path(period: ReportPeriod, fmt: str) -> Path:
    return Path(settings.WORKSPACE_DIR) / "reports" / period.label / report_name(period, fmt)


def report_name(period: ReportPeriod, fmt: str) -> str:
    return f"boost-report-{period.label}.{fmt}"


class MonthlyReportCollector(AbstractCollector):
    """Not a collector of outside data: it reads ours, but runs with the same ledger and lock."""

    def __init__(self, *, month: str | None, fmt: str, output: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.month = month
        self.fmt = fmt
        self.output = output
        self.period: ReportPeriod | None = None
        self.path: Path | None = None

    @property
    def name(self) -> str:
        return "monthly_report"

    def validate_config(self) -> None:
        if self.fmt not in render.FORMATS:
            raise CommandError(
                f"--format must be one of {', '.join(render.FORMATS)}, got {self.fmt!r}"
            )
        try:
            self.period = (
                ReportPeriod.parse(self.month)
                if self.month
                else ReportPeriod.previous(timezone.now().date())
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.path = self._target(self.period)

    def _target(self, period: ReportPeriod) -> Path:
        if not self.output:
            return default_path(period, self.fmt)
        target = Path(self.output)
        if target.is_dir() or self.output.endswith(("/", "\\")):
            return target / report_name(period, self.fmt)
        if target.exists() and not target.is_file():
            raise CommandError(f"--output {self.output} exists and is not a file or directory")
        return target

    def collect(self) -> None:
        assert self.period is not None
        assert self.path is not None
        sections = build_sections(self.period)
        generated = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
        try:
            written = render.write_report(
                period=self.period,
                sections=sections,
                fmt=self.fmt,
                path=self.path,
                generated=generated,
            )
        except OSError as exc:
            raise CommandError(f"cannot write the report to {self.path}: {exc.strerror}") from exc
        services.record_report(
            month=self.period.label,
            fmt=self.fmt,
            path=str(written.path),
            content_hash=written.content_hash,
            sections=[section.key for section in sections],
        )
        self.count("sections", len(sections))
        self.count("created")
        names = ", ".join(section.title for section in sections) or "no data for this month"
        self.write(f"Report for {self.period.label} ({names}): {written.path}")
