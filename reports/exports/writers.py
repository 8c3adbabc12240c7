"""One writer per export format; each takes rows batch by batch and keeps none of them.

json and jsonl rows are rendered by PostgreSQL (`row_to_json`), the others here.
Values as written: timestamps ISO 8601 in UTC (parquet: timestamp[us, UTC]), dates
ISO, JSON columns as JSON values (csv and parquet: JSON text), decimals as text. In
CSV an empty field is NULL (csv has no other way to say it).
"""

from __future__ import annotations

import base64
import csv
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from reports.exports.tables import ExportTable

FORMATS = ("json", "jsonl", "csv", "parquet")
EXTENSIONS = {"json": "json", "jsonl": "jsonl", "csv": "csv", "parquet": "parquet"}


def plain(value: Any) -> Any:
    """A database value as JSON can carry it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


class Writer:
    # True: each row arrives as (watermark, JSON text of the row) from row_to_json.
    server_json = False

    def __init__(self, path: Path, table: ExportTable) -> None:
        self.path = path
        self.table = table
        self.names = [column.name for column in table.columns]

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _TextWriter(Writer):
    def __init__(self, path: Path, table: ExportTable) -> None:
        super().__init__(path, table)
        self.handle: IO[str] = path.open("w", encoding="utf-8", newline="")


class JsonlWriter(_TextWriter):
    server_json = True

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        self.handle.writelines(f"{row[1]}\n" for row in rows)

    def close(self) -> None:
        self.handle.close()


class JsonWriter(_TextWriter):
    """A JSON array, one object per line, written as it streams."""

    def __init__(self, path: Path, table: ExportTable) -> None:
        super().__init__(path, table)
        self.handle.write("[")
        self.first = True

    server_json = True

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            self.handle.write(("\n" if self.first else ",\n") + row[1])
            self.first = False

    def close(self) -> None:
        self.handle.write("\n]\n")
        self.handle.close()


class CsvWriter(_TextWriter):
    def __init__(self, path: Path, table: ExportTable) -> None:
        super().__init__(path, table)
        self.csv = csv.writer(self.handle, lineterminator="\n")
        self.csv.writerow(self.names)
        self.json_columns = [column.type == "json" for column in table.columns]

    def _cell(self, value: Any, is_json: bool) -> Any:
        if value is None:
            return ""
        if is_json:  # the connection hands JSON over as its text
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if isinstance(value, bool):
            return "true" if value else "false"
        return plain(value)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        flags = self.json_columns
        self.csv.writerows(
            [self._cell(value, flag) for value, flag in zip(row, flags, strict=True)]
            for row in rows
        )

    def close(self) -> None:
        self.handle.close()


class ParquetWriter(Writer):
    """Parquet through pyarrow, one row group per batch (zstd)."""

    def __init__(self, path: Path, table: ExportTable) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(path, table)
        self.pa = pa
        types = {
            "integer": pa.int64(),
            "boolean": pa.bool_(),
            "float": pa.float64(),
            "timestamp": pa.timestamp("us", tz="UTC"),
            "date": pa.date32(),
        }
        self.types = [types.get(column.type, pa.string()) for column in table.columns]
        self.converters = [self._converter(column.type) for column in table.columns]
        self.schema = pa.schema(
            [
                pa.field(column.name, kind)
                for column, kind in zip(table.columns, self.types, strict=True)
            ]
        )
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")

    @staticmethod
    def _converter(kind: str) -> Any:
        if kind == "json":
            return lambda value: (
                value
                if value is None or isinstance(value, str)
                else json.dumps(value, ensure_ascii=False)
            )
        if kind in {"decimal", "string"}:
            return lambda value: None if value is None else str(plain(value))
        return None

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        arrays = []
        for index, (kind, convert) in enumerate(zip(self.types, self.converters, strict=True)):
            values = [row[index] for row in rows]
            if convert is not None:
                values = [convert(value) for value in values]
            arrays.append(self.pa.array(values, type=kind))
        self.writer.write_batch(self.pa.RecordBatch.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


WRITERS: dict[str, type[Writer]] = {
    "json": JsonWriter,
    "jsonl": JsonlWriter,
    "csv": CsvWriter,
    "parquet": ParquetWriter,
}
