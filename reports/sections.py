"""The report's section registry: each app contributes the section about its own data.

An app adds a `report_sections.py` module that calls `register_section`; the reports
app imports every installed app's module when it starts (as the admin discovers
`admin.py`). A builder returns None when its app has nothing for the month, so a
missing app or an empty month leaves no empty section behind.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.utils.module_loading import autodiscover_modules

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """A calendar month in UTC: `start` inclusive, `end` exclusive."""

    year: int
    month: int

    @classmethod
    def parse(cls, value: str) -> ReportPeriod:
        """Read `YYYY-MM`; anything else is a ValueError naming the value."""
        match = MONTH_RE.match(value.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"--month must be YYYY-MM (e.g. 2024-05), got {value!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def previous(cls, today: date) -> ReportPeriod:
        """The month before the one `today` falls in."""
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return cls(year, month)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def title(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        if self.month == 12:
            return datetime(self.year + 1, 1, 1, tzinfo=UTC)
        return datetime(self.year, self.month + 1, 1, tzinfo=UTC)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the report; also written as `<key>.csv`."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart drawn server-side; its numbers are also written as `<key>.csv`.

    `kind` is `bar` (grouped vertical bars), `hbar` (horizontal, for long labels) or
    `line`; `series` maps a legend name to one value per label.
    """

    key: str
    title: str
    kind: str
    labels: list[str]
    series: dict[str, list[float]]
    ylabel: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[Table | Chart] = field(default_factory=list)
    text: str = ""


SectionBuilder = Callable[[ReportPeriod], Section | None]


@dataclass(frozen=True, slots=True)
class RegisteredSection:
    key: str
    order: int
    build: SectionBuilder


_sections: dict[str, RegisteredSection] = {}


def register_section(*, key: str, order: int, build: SectionBuilder) -> None:
    """Add (or replace, on a module reload) the section `key`; lower `order` comes first."""
    if not key.replace("_", "").isalnum():
        raise ValueError(f"section key {key!r} must be letters, digits and _")
    _sections[key] = RegisteredSection(key=key, order=order, build=build)


def registered_sections() -> list[RegisteredSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def build_sections(period: ReportPeriod) -> list[Section]:
    """Every registered section that has something to say about `period`, in order."""
    built = (registered.build(period) for registered in registered_sections())
    return [section for section in built if section is not None]


def discover_sections() -> None:
    """Import each installed app's `report_sections` module (the apps register there)."""
    autodiscover_modules("report_sections")
