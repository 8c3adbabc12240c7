"""Bulk upserts that write only what changed and say what they did.

Collectors re-read overlapping windows and Celery may deliver a batch twice, so
every write is an upsert on a natural key. Plain `bulk_create(update_conflicts=True)`
rewrites every row and cannot tell new rows from changed ones; this helper issues
`INSERT ... ON CONFLICT DO UPDATE ... WHERE <something differs> RETURNING (xmax = 0)`
so unchanged rows cost no write and the caller gets exact created/updated counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

# Rows per statement: each column travels as one array, so the size bounds the
# memory of one statement and its RETURNING list, not the bind-parameter count.
DEFAULT_BATCH_SIZE = 1000


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


def _dedupe(rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> list[Mapping[str, Any]]:
    """Keep the last row per key: PostgreSQL refuses to update one row twice per statement."""
    by_key: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        by_key[tuple(row[name] for name in key)] = row
    return list(by_key.values())


def upsert(
    *,
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> UpsertCounts:
    """Insert new rows and update changed ones, keyed on `unique_fields`.

    Each row maps field names to values and must hold every unique and update field.
    `auto_now`/`auto_now_add` fields are filled here; an `auto_now` field moves only
    when a row really changed. Runs in one transaction.
    """
    if not unique_fields:
        raise ValueError("upsert needs at least one unique field")
    meta = model._meta
    concrete = {f.name: f for f in meta.concrete_fields}
    missing = [n for n in (*unique_fields, *update_fields) if n not in concrete]
    if missing:
        raise ValueError(f"{model.__name__} has no field(s) {', '.join(missing)}")
    stamp_fields = [
        f.name
        for f in meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    touch_on_update = [n for n in stamp_fields if getattr(concrete[n], "auto_now", False)]
    columns = list(dict.fromkeys([*unique_fields, *update_fields, *stamp_fields]))
    unique_rows = _dedupe(rows, unique_fields)
    counts = UpsertCounts()
    if not unique_rows:
        return counts
    statement = _UpsertStatement(
        meta=meta,
        columns=columns,
        unique_fields=unique_fields,
        update_fields=update_fields,
        touch_on_update=touch_on_update,
    )
    now = timezone.now()
    with transaction.atomic():
        for begin in range(0, len(unique_rows), batch_size):
            batch = unique_rows[begin : begin + batch_size]
            counts += statement.execute(batch, stamp_fields=stamp_fields, now=now)
    return counts


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


def _plain_type(field: Any) -> type | None:
    target = field.target_field if field.is_relation else field
    return _PLAIN_TYPES.get(target.get_internal_type())


@dataclass(frozen=True)
class _UpsertStatement:
    meta: Any
    columns: Sequence[str]
    unique_fields: Sequence[str]
    update_fields: Sequence[str]
    touch_on_update: Sequence[str]

    def _column(self, name: str) -> str:
        return connection.ops.quote_name(self.meta.get_field(name).column)

    def sql(self) -> str:
        """One statement for any batch size: each column travels as one typed array.

        `INSERT ... SELECT * FROM unnest(%s::type[], ...)` keeps the statement text and
        its parameter count fixed, so the driver does not re-parse a query with
        thousands of placeholders for every batch (that parsing cost more than the
        database work).
        """
        table = connection.ops.quote_name(self.meta.db_table)
        column_sql = ", ".join(self._column(n) for n in self.columns)
        arrays = ", ".join(
            f"%s::{self.meta.get_field(n).db_type(connection)}[]" for n in self.columns
        )
        conflict = ", ".join(self._column(n) for n in self.unique_fields)
        sql = f"INSERT INTO {table} ({column_sql}) SELECT * FROM unnest({arrays}) "
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
        return sql + "RETURNING (xmax = 0)"

    def execute(
        self, batch: Sequence[Mapping[str, Any]], *, stamp_fields: Sequence[str], now: Any
    ) -> UpsertCounts:
        real_connection = connections[DEFAULT_DB_ALIAS]  # the proxy costs a lookup per value
        params: list[list[Any]] = []
        for name in self.columns:
            field = self.meta.get_field(name)
            prepare = field.get_db_prep_save
            plain = _plain_type(field)
            if name in stamp_fields:
                values = [row.get(name, now) for row in batch]
            else:
                values = [row[name] for row in batch]
            # Values already of the column's plain Python type need no conversion; skipping
            # the per-value Django call halves the Python time of a large batch.
            params.append(
                [
                    v if v is None or type(v) is plain else prepare(v, real_connection)
                    for v in values
                ]
            )
        with connection.cursor() as cursor:
            cursor.execute(self.sql(), params)
            inserted_flags = [bool(r[0]) for r in cursor.fetchall()]
        created = sum(inserted_flags)
        return UpsertCounts(
            created=created,
            updated=len(inserted_flags) - created,
            unchanged=len(batch) - len(inserted_flags),
        )
