"""Bulk upserts that write only what changed and say what they did.

Collectors re-read overlapping windows and Celery may deliver a batch twice, so
every write is an upsert on a natural key. Plain `bulk_create(update_conflicts=True)`
rewrites every row and cannot tell new rows from changed ones; this helper copies the
rows into a session-local staging table and moves them with one
`INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE <something differs>`, so
unchanged rows cost no write and the caller gets exact created/updated counts.
Text and JSON values lose any NUL character on the way (`core.text.strip_nul`):
PostgreSQL refuses it, and one such value would fail the whole page on every run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from core.text import strip_nul


@dataclass(frozen=True)
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            created=self.created + other.created,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
        )


@dataclass(frozen=True)
class ParentKey:
    """Rows name a foreign-key parent by its natural key; the database finds its id.

    File changes give their commit's SHA, `ParentKey(model=Commit, key="sha",
    scope={"repository": 7})`, so the service needs no round trip to map SHAs to ids
    first. A row whose parent is not stored fails the NOT NULL of its column: the whole
    upsert is refused.
    """

    model: type[models.Model]
    key: str
    scope: Mapping[str, Any] = field(default_factory=dict)


def _dedupe(rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> list[Mapping[str, Any]]:
    """Keep the last row per key: PostgreSQL refuses to update one row twice per statement.

    Keys are compared as they will be stored (without NUL), so two keys that differ
    only by a NUL are one row.
    """
    by_key: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        by_key[tuple(strip_nul(row[name]) for name in key)] = row
    return list(by_key.values())


def upsert(
    *,
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    parents: Mapping[str, ParentKey] | None = None,
) -> UpsertCounts:
    """Insert new rows and update changed ones, keyed on `unique_fields`.

    Each row maps field names to values and must hold every unique and update field;
    a foreign key named in `parents` holds the parent's natural key instead of its id.
    `auto_now`/`auto_now_add` fields are filled here; an `auto_now` field moves only
    when a row really changed. Runs in one transaction and costs three statements
    whatever the number of rows: ensure the staging table, COPY, move.
    """
    if not unique_fields:
        raise ValueError("upsert needs at least one unique field")
    meta = model._meta
    concrete = {f.name: f for f in meta.concrete_fields}
    parents = dict(parents or {})
    missing = [n for n in (*unique_fields, *update_fields, *parents) if n not in concrete]
    if missing:
        raise ValueError(f"{model.__name__} has no field(s) {', '.join(missing)}")
    stamp_fields = [
        f.name
        for f in meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    unique_rows = _dedupe(rows, unique_fields)
    if not unique_rows:
        return UpsertCounts()
    statement = _UpsertStatement(
        meta=meta,
        columns=list(dict.fromkeys([*unique_fields, *update_fields, *stamp_fields])),
        unique_fields=unique_fields,
        update_fields=update_fields,
        touch_on_update=[n for n in stamp_fields if getattr(concrete[n], "auto_now", False)],
        parents=parents,
    )
    values = statement.column_values(unique_rows, stamp_fields=stamp_fields, now=timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.create_stage_sql())
        # Django's PostgreSQL cursor wrappers have copy() (and log it) but do not declare
        # it, nor turn its errors into Django's (DataError, ...) as execute() does.
        with (
            connection.wrap_database_errors,
            cursor.copy(statement.copy_sql()) as copy,  # pyright: ignore[reportAttributeAccessIssue]
        ):
            copy.set_types(statement.copy_types())
            for row in zip(*values, strict=True):
                copy.write_row(row)
        cursor.execute(*statement.move_sql())
        counted = cursor.fetchone()
    assert counted is not None  # an aggregate always answers one row
    created, written = counted
    return UpsertCounts(
        created=created, updated=written - created, unchanged=len(unique_rows) - written
    )


# Field types that never hold text, so their values need no NUL check.
_NO_TEXT_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "DateField",
        "DateTimeField",
        "DecimalField",
        "DurationField",
        "FloatField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallAutoField",
        "SmallIntegerField",
        "UUIDField",
    }
)

# Field types whose database value is the Python value itself when it has this type.
_PLAIN_TYPES: dict[str, type] = {
    "AutoField": int,
    "BigAutoField": int,
    "BigIntegerField": int,
    "BooleanField": bool,
    "CharField": str,
    "IntegerField": int,
    "PositiveBigIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "SmallIntegerField": int,
    "TextField": str,
}


def _internal_type(model_field: Any) -> str:
    """The storage type of a field; a foreign key stores its target's type."""
    target = model_field.target_field if model_field.is_relation else model_field
    return target.get_internal_type()


def _is_plain(model_field: Any) -> Callable[[Any], bool]:
    """A test for values the driver can take as they are, without Django's conversion.

    Skipping the per-value Django call halves the Python time of a large page. Aware
    datetimes pass too: Django would hand them on unchanged, and naive ones still go
    through it so they get its time-zone warning and conversion.
    """
    internal = _internal_type(model_field)
    if internal == "DateTimeField":
        return lambda v: type(v) is datetime and v.tzinfo is not None
    plain = _PLAIN_TYPES.get(internal)
    return lambda v: type(v) is plain


@dataclass(frozen=True)
class _UpsertStatement:
    meta: Any
    columns: Sequence[str]
    unique_fields: Sequence[str]
    update_fields: Sequence[str]
    touch_on_update: Sequence[str]
    parents: Mapping[str, ParentKey]

    def _column(self, name: str) -> str:
        return connection.ops.quote_name(self.meta.get_field(name).column)

    def _staged_field(self, name: str) -> Any:
        """The field whose type a staged column has: a parent's key, or the column itself."""
        parent = self.parents.get(name)
        if parent is None:
            return self.meta.get_field(name)
        return parent.model._meta.get_field(parent.key)

    @cached_property
    def _db_types(self) -> list[str]:
        return [self._staged_field(n).db_type(connection) for n in self.columns]

    @cached_property
    def _stage(self) -> str:
        """A temporary table per (table, columns, types): sessions never share one.

        The types are in the name so a session that outlives a migration never
        copies into a staging table of the old shape.
        """
        shape = ",".join(f"{n}:{t}" for n, t in zip(self.columns, self._db_types, strict=True))
        digest = hashlib.sha1(f"{self.meta.db_table}|{shape}".encode()).hexdigest()[:10]
        return connection.ops.quote_name(f"stage_{self.meta.db_table[:40]}_{digest}")

    def create_stage_sql(self) -> str:
        """Made once per session; emptied at each commit, so an aborted move leaves nothing."""
        definitions = ", ".join(
            f"{self._column(n)} {t}" for n, t in zip(self.columns, self._db_types, strict=True)
        )
        return (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {self._stage} ({definitions}) "
            "ON COMMIT DELETE ROWS"
        )

    def copy_sql(self) -> str:
        column_sql = ", ".join(self._column(n) for n in self.columns)
        return f"COPY {self._stage} ({column_sql}) FROM STDIN (FORMAT BINARY)"

    def copy_types(self) -> list[str]:
        """The driver's names for the column types (`varchar(40)` is `varchar`).

        Binary COPY needs them, and saves formatting every timestamp as text.
        """
        return [t.split("(", 1)[0] for t in self._db_types]

    def move_sql(self) -> tuple[str, list[Any]]:
        """Empty the staging table into the target; answer (created, written) counts."""
        table = connection.ops.quote_name(self.meta.db_table)
        column_sql = ", ".join(self._column(n) for n in self.columns)
        conflict = ", ".join(self._column(n) for n in self.unique_fields)
        selected, joins, params = self._resolve_parents()
        sql = (
            f"WITH staged AS (DELETE FROM {self._stage} RETURNING {column_sql}), "
            f"written AS (INSERT INTO {table} ({column_sql}) "
            f"SELECT {', '.join(selected)} FROM staged{joins} "
        )
        if self.update_fields:
            targets = [*self.update_fields, *self.touch_on_update]
            assignments = ", ".join(
                f"{self._column(n)} = EXCLUDED.{self._column(n)}" for n in targets
            )
            current = ", ".join(f"{table}.{self._column(n)}" for n in self.update_fields)
            incoming = ", ".join(f"EXCLUDED.{self._column(n)}" for n in self.update_fields)
            sql += (
                f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments} "
                f"WHERE ({current}) IS DISTINCT FROM ({incoming}) "
            )
        else:
            sql += f"ON CONFLICT ({conflict}) DO NOTHING "
        sql += (
            "RETURNING (xmax = 0) AS created) "
            "SELECT count(*) FILTER (WHERE created), count(*) FROM written"
        )
        return sql, params

    def _resolve_parents(self) -> tuple[list[str], str, list[Any]]:
        """The SELECT list, the LEFT JOINs that turn parents' keys into ids, their params."""
        quote = connection.ops.quote_name
        selected, joins, params = [], "", []
        for number, name in enumerate(self.columns):
            staged = f"staged.{self._column(name)}"
            parent = self.parents.get(name)
            if parent is None:
                selected.append(staged)
                continue
            alias, parent_meta = f"parent_{number}", parent.model._meta
            conditions = [f"{alias}.{quote(parent_meta.get_field(parent.key).column)} = {staged}"]
            for scope_field, value in parent.scope.items():
                conditions.append(
                    f"{alias}.{quote(parent_meta.get_field(scope_field).column)} = %s"
                )
                params.append(value)
            table, primary_key = quote(parent_meta.db_table), parent_meta.pk
            assert primary_key is not None  # every concrete model has one
            joins += f" LEFT JOIN {table} {alias} ON {' AND '.join(conditions)}"
            selected.append(f"{alias}.{quote(primary_key.column)}")
        return selected, joins, params

    def column_values(
        self, rows: Sequence[Mapping[str, Any]], *, stamp_fields: Sequence[str], now: Any
    ) -> list[list[Any]]:
        """Each column's values, converted to what the database takes (text without NUL)."""
        real_connection = connections[DEFAULT_DB_ALIAS]  # the proxy costs a lookup per value
        columns: list[list[Any]] = []
        for name in self.columns:
            staged_field = self._staged_field(name)
            prepare = staged_field.get_db_prep_save
            is_plain = _is_plain(staged_field)
            if name in stamp_fields:
                values = [row.get(name, now) for row in rows]
            else:
                values = [row[name] for row in rows]
            if _internal_type(staged_field) not in _NO_TEXT_TYPES:
                values = [strip_nul(v) for v in values]
            columns.append(
                [v if v is None or is_plain(v) else prepare(v, real_connection) for v in values]
            )
        return columns
