"""`ExportCollector`: write the collected tables to files, streaming, atomically.

Order of work, chosen so a reader never sees half an export:
1. leftovers of a killed export (`.export-*.partial`) are removed: we hold the
   command's lock, so no other export is writing them;
2. every table is streamed from one REPEATABLE READ snapshot (all files agree with
   each other) through a server-side cursor, `EXPORT_BATCH_ROWS` rows at a time, into
   the hidden `.export-<stamp>-<format>.partial` directory;
3. `manifest.json` is written last, the directory is renamed to `export-<stamp>-<format>`
   (one rename: it appears complete or not at all) and the `latest` link moved to it;
4. only then is the export recorded, with the watermark the next one starts from.
"""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core.collectors import AbstractCollector
from reports import services
from reports.exports.tables import ExportTable, export_tables
from reports.exports.writers import EXTENSIONS, FORMATS, WRITERS, plain
from reports.models import Export

PARTIAL_SUFFIX = ".partial"


def project_version() -> str:
    with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def parse_since(value: str) -> datetime:
    """`YYYY-MM-DD` (midnight UTC) or an ISO datetime (UTC when it names no zone)."""
    try:
        moment = parse_datetime(value)
        day = parse_date(value) if moment is None and len(value) == 10 else None
    except ValueError:  # well formed, but no such day or time
        moment = day = None
    if moment is None:
        if day is None:
            raise CommandError(f"--since must be YYYY-MM-DD or an ISO datetime, got {value!r}")
        moment = datetime(day.year, day.month, day.day)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def default_root() -> Path:
    return Path(settings.WORKSPACE_DIR) / "exports"


def _bound(kind: str, value: Any) -> Any:
    return datetime.fromisoformat(value) if kind == "time" else int(value)


class ExportCollector(AbstractCollector):
    def __init__(
        self,
        *,
        fmt: str,
        apps: list[str] | None,
        since: str | None,
        output: str | None,
        full: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fmt = fmt
        self.apps = apps or []
        self.since_text = since
        self.since: datetime | None = None
        self.root = Path(output) if output else default_root()
        self.full = full
        self.tables: list[ExportTable] = []
        self.path: Path | None = None

    @property
    def name(self) -> str:
        return "export"

    def validate_config(self) -> None:
        if self.fmt not in FORMATS:
            raise CommandError(f"--format must be one of {', '.join(FORMATS)}, got {self.fmt!r}")
        if self.since_text is not None:
            self.since = parse_since(self.since_text)
        try:
            self.tables = export_tables(self.apps or None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if self.root.exists() and not self.root.is_dir():
            raise CommandError(f"--output {self.root} is not a directory")

    def _previous_watermark(self) -> dict[str, Any]:
        """Where the last export of this format ended, per table (empty: export everything)."""
        if self.full or self.since is not None:
            return {}
        last = Export.objects.filter(format=self.fmt).order_by("-created_at", "-id").first()
        return dict(last.watermark) if last else {}

    def collect(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for stale in self.root.glob(f".export-*{PARTIAL_SUFFIX}"):
                shutil.rmtree(stale, ignore_errors=True)
        except OSError as exc:
            raise CommandError(f"cannot write exports under {self.root}: {exc.strerror}") from exc
        started = timezone.now()
        final_name = f"export-{started:%Y%m%dT%H%M%S%fZ}-{self.fmt}"
        partial = self.root / f".{final_name}{PARTIAL_SUFFIX}"
        partial.mkdir()
        try:
            previous = self._previous_watermark()
            manifest = self._write_tables(partial, previous, started)
            (partial / "manifest.json").write_text(
                json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
            final = self.root / final_name
            os.rename(partial, final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        self._point_latest(final_name)
        self.path = final
        services.record_export(
            fmt=self.fmt,
            path=str(final),
            apps=sorted({table.app for table in self.tables}),
            incremental=manifest["incremental"],
            watermark=manifest["watermark"],
            row_counts={table["name"]: table["rows"] for table in manifest["tables"]},
        )
        rows = sum(table["rows"] for table in manifest["tables"])
        self.count("tables", len(self.tables))
        self.count("exported", rows)
        kind = "incremental" if manifest["incremental"] else "full"
        self.write(f"Exported {rows} rows of {len(self.tables)} tables ({kind}): {final}")

    def _point_latest(self, name: str) -> None:
        """Move the `latest` symlink to `name` in one rename."""
        link = self.root / "latest"
        temporary = self.root / f".latest-{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(name)
        os.replace(temporary, link)

    def _write_tables(
        self, directory: Path, previous: dict[str, Any], started: datetime
    ) -> dict[str, Any]:
        entries = []
        watermark: dict[str, Any] = {}
        # Inside a caller's transaction (a test's) the snapshot is that transaction's.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            for table in self.tables:
                entry, mark = self._write_table(directory, table, previous.get(table.name))
                entries.append(entry)
                if mark is not None:
                    watermark[table.name] = mark
        return {
            "format": self.fmt,
            "project": "boost-data-collector",
            "project_version": project_version(),
            "created_at": started.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "incremental": any(entry["mode"] == "incremental" for entry in entries),
            "watermark": watermark,
            "tables": entries,
        }

    def _write_table(
        self, directory: Path, table: ExportTable, previous: dict[str, Any] | None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column.name) for column in table.columns)
        sql = f"SELECT {columns} FROM {quote(table.db_table)}"
        params: list[Any] = []
        mode, start = "full", None
        if table.watermark is not None:
            column, kind = table.watermark
            if self.since is not None and kind == "time":
                mode, start = "incremental", self.since
                sql += f" WHERE {quote(column)} >= %s"
                params.append(self.since)
            elif previous is not None and previous.get("column") == column:
                mode, start = "incremental", _bound(kind, previous["value"])
                sql += f" WHERE {quote(column)} > %s"
                params.append(start)
        file_name = f"{table.name}.{EXTENSIONS[self.fmt]}"
        writer = WRITERS[self.fmt](directory / file_name, table)
        index = None
        if table.watermark is not None:
            index = [column.name for column in table.columns].index(table.watermark[0])
        if writer.server_json:
            # PostgreSQL renders each row as JSON text: the client only copies bytes.
            mark = quote(table.watermark[0]) if table.watermark else "NULL"
            sql = (
                f"SELECT t.{mark}, row_to_json(t)::text FROM ({sql}) t ORDER BY t.{quote(table.pk)}"
            )
            index = 0 if table.watermark else None
        else:
            sql += f" ORDER BY {quote(table.pk)}"
        rows, high = self._stream(sql, params, writer, table.name, index)
        entry = {
            "name": table.name,
            "app": table.app,
            "model": table.model,
            "file": file_name,
            "rows": rows,
            "mode": mode,
            "columns": [
                {"name": c.name, "type": c.type, "nullable": c.nullable} for c in table.columns
            ],
        }
        mark = None
        if table.watermark is not None:
            column, kind = table.watermark
            if high is None and previous is not None and previous.get("column") == column:
                high = _bound(kind, previous["value"])  # nothing new: keep the old mark
            if high is not None:
                mark = {"column": column, "kind": kind, "value": plain(high)}
            entry["watermark"] = {
                "column": column,
                "kind": kind,
                "from": plain(start),
                "to": None if mark is None else mark["value"],
            }
        return entry, mark

    def _stream(
        self, sql: str, params: list[Any], writer: Any, name: str, index: int | None
    ) -> tuple[int, Any]:
        """Stream the query into `writer`; return (rows, the highest watermark value seen)."""
        batch_rows = settings.EXPORT_BATCH_ROWS
        rows, high = 0, None
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        try:
            with raw.cursor(name=f"export_{name}") as cursor:
                cursor.itersize = batch_rows
                cursor.execute(sql, params)
                while batch := cursor.fetchmany(batch_rows):
                    writer.write(batch)
                    rows += len(batch)
                    if index is not None:
                        top = max(
                            (row[index] for row in batch if row[index] is not None), default=None
                        )
                        if top is not None and (high is None or top > high):
                            high = top
                    self.progress.page(stream=name, items=len(batch))
        finally:
            writer.close()
        return rows, high
