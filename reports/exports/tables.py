"""Which tables an export writes, found from the installed apps (no list to keep up).

Every model of every project app is exported, except the framework's own apps (the
run ledger, checkpoints, the HTTP cache with its headers, locks: operational state, not
collected data) and the search index (derived from the collected tables). A new
collector app is picked up as soon as it is in INSTALLED_APPS. An app can leave models
out with `export_exclude = {"ModelName", ...}` on its AppConfig. Columns whose names
look like credentials are never exported, whatever app they are in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.db import models

# Operational state and derived data, not collected data (see the module docstring).
NOT_EXPORTED_APPS = frozenset(
    {
        "core",
        "boost_collector_runner",
        "workflow",
        "monitoring",
        "demo",
        "reports",
        "cppa_pinecone_sync",
    }
)
SECRET_COLUMN = re.compile(
    r"(token|secret|passw|api_?key|authori[sz]ation|cookie|header|credential|signature)", re.I
)
# Change-time columns an incremental export can filter on, best first.
CHANGE_COLUMNS = ("row_changed_at", "updated_at")

INTEGER_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)
TYPE_NAMES = {
    "BooleanField": "boolean",
    "FloatField": "float",
    "DecimalField": "decimal",
    "DateTimeField": "timestamp",
    "DateField": "date",
    "JSONField": "json",
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # integer, boolean, float, decimal, timestamp, date, json, string
    nullable: bool


@dataclass(frozen=True, slots=True)
class ExportTable:
    """One table: its file name is `<app>__<model>`, e.g. `github_activity_tracker__commit`."""

    app: str
    model: str
    db_table: str
    pk: str
    columns: tuple[Column, ...]
    # (column, "time" | "id") an incremental export filters on; None: always exported whole.
    watermark: tuple[str, str] | None

    @property
    def name(self) -> str:
        return f"{self.app}__{self.model}"


def column_type(field: models.Field) -> str:
    while isinstance(field, models.ForeignKey):  # a key has its target's type
        field = field.target_field
    internal = field.get_internal_type()
    if internal in INTEGER_TYPES:
        return "integer"
    return TYPE_NAMES.get(internal, "string")


def _watermark(model: type[models.Model]) -> tuple[str, str] | None:
    fields = {field.name: field for field in model._meta.concrete_fields}
    for name in CHANGE_COLUMNS:
        field = fields.get(name)
        if isinstance(field, models.DateTimeField) and (name == "row_changed_at" or field.auto_now):
            return field.column, "time"
    pk = model._meta.pk
    if pk is not None and column_type(pk) == "integer":
        return pk.column, "id"
    return None


def _is_project_app(config: AppConfig) -> bool:
    """An app at the project's root (the layout's rule), not one from site-packages."""
    return Path(config.path).resolve().parent == Path(settings.BASE_DIR).resolve()


def exportable_apps() -> list[str]:
    """Labels of the installed project apps whose tables are exported, sorted."""
    return sorted(
        config.label
        for config in apps.get_app_configs()
        if _is_project_app(config) and config.label not in NOT_EXPORTED_APPS
    )


def export_tables(app_labels: list[str] | None = None) -> list[ExportTable]:
    """The tables of `app_labels` (default: every exportable app), sorted by name.

    Raises ValueError naming an app that is unknown or not exportable.
    """
    known = exportable_apps()
    wanted = app_labels or known
    for label in wanted:
        if label not in known:
            raise ValueError(
                f"--app {label!r} is not an exportable app; choose from {', '.join(known)}"
            )
    tables = []
    for label in wanted:
        config = apps.get_app_config(label)
        excluded = set(getattr(config, "export_exclude", ()))
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or model.__name__ in excluded:
                continue
            columns = tuple(
                Column(name=field.column, type=column_type(field), nullable=field.null)
                for field in meta.concrete_fields
                if not SECRET_COLUMN.search(field.column)
            )
            tables.append(
                ExportTable(
                    app=label,
                    model=meta.model_name or model.__name__.lower(),
                    db_table=meta.db_table,
                    pk=meta.pk.column if meta.pk is not None else columns[0].name,
                    columns=columns,
                    watermark=_watermark(model),
                )
            )
    return sorted(tables, key=lambda table: table.name)
