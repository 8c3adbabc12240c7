"""run_export: every format read back and compared, incremental exactness, atomicity, secrets."""

from __future__ import annotations

import csv
import json
import time
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core.models import CollectorRun, HttpCacheEntry
from core.testing.manage import kill_and_wait, start_on_test_db
from github_activity_tracker.models import Commit, FileChange, Issue, Repository
from reports.models import Export

TOKEN = "ghp_" + "Secret99" * 5


def export(*args: str) -> Path:
    out = StringIO()
    call_command("run_export", *args, stdout=out)
    return Path(Export.objects.order_by("-id")[0].path)


def manifest(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


def db_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's rows as the database holds them, ordered like the export."""
    from django.apps import apps

    model = apps.get_model(table["app"], table["model"])
    names = [column["name"] for column in table["columns"]]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(map(quote, names))} FROM {quote(model._meta.db_table)} "
            f"ORDER BY {quote(model._meta.pk.column)}"  # type: ignore[union-attr]
        )
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # Django's connection hands JSON columns over as text
        for name in json_columns(table):
            if isinstance(row[name], str):
                row[name] = json.loads(row[name])
    return rows


def json_columns(table: dict[str, Any]) -> list[str]:
    return [column["name"] for column in table["columns"] if column["type"] == "json"]


def as_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def as_csv(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "json":
        return value  # read_back parsed the cell
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, datetime) else str(value)


def read_back(directory: Path, table: dict[str, Any], fmt: str) -> list[dict[str, Any]]:
    path = directory / table["file"]
    if fmt in {"json", "jsonl"}:
        text = path.read_text(encoding="utf-8")
        records = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
        # PostgreSQL writes `.5` where Python writes `.500000`: compare the instants.
        times = [c["name"] for c in table["columns"] if c["type"] == "timestamp"]
        for record in records:
            for name in times:
                if record[name] is not None:
                    record[name] = datetime.fromisoformat(record[name]).isoformat()
        return records
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            records = list(csv.DictReader(handle))
    else:
        records = pq.read_table(path).to_pylist()
    for record in records:  # JSON columns are JSON text in csv and parquet
        for name in json_columns(table):
            record[name] = json.loads(record[name]) if record[name] else None
    return records


def expected(row: dict[str, Any], table: dict[str, Any], fmt: str) -> dict[str, Any]:
    kinds = {column["name"]: column["type"] for column in table["columns"]}
    if fmt in {"json", "jsonl"}:
        return {name: as_json(value) for name, value in row.items()}
    if fmt == "csv":
        return {name: as_csv(value, kinds[name]) for name, value in row.items()}
    return row


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "parquet"])
def test_every_table_round_trips(activity_db, workspace, fmt: str) -> None:
    directory = export("--format", fmt)
    meta = manifest(directory)
    assert meta["format"] == fmt
    assert meta["project_version"] == "0.1.0"
    assert meta["incremental"] is False
    names = {table["name"] for table in meta["tables"]}
    assert {"github_activity_tracker__commit", "cppa_user_tracker__person"} <= names
    assert not any(name.startswith(("core__", "reports__", "auth__")) for name in names)
    compared = 0
    for table in meta["tables"]:
        rows = db_rows(table)
        assert table["rows"] == len(rows), table["name"]
        back = read_back(directory, table, fmt)
        assert back == [expected(row, table, fmt) for row in rows], table["name"]
        compared += len(rows)
    assert compared > 40
    commit = next(t for t in meta["tables"] if t["name"] == "github_activity_tracker__commit")
    types = {column["name"]: column["type"] for column in commit["columns"]}
    assert types["committed_at"] == "timestamp"
    assert types["repository_id"] == "integer"
    newest = Commit.objects.order_by("-row_changed_at")[0].row_changed_at
    assert commit["watermark"] == {
        "column": "row_changed_at",
        "kind": "time",
        "from": None,
        "to": newest.isoformat(),
    }
    assert (directory.parent / "latest").resolve() == directory.resolve()


def test_incremental_export_holds_exactly_the_changed_rows(activity_db, workspace) -> None:
    first = export("--format", "jsonl")
    assert manifest(first)["incremental"] is False
    issue = Issue.objects.get(number=5)
    issue.title = "renamed"
    issue.save(update_fields=["title", "row_changed_at"])
    added = Commit.objects.create(
        repository=Repository.objects.get(name="json"), sha="f" * 40, committed_at=timezone.now()
    )
    second = export("--format", "jsonl")
    meta = manifest(second)
    assert meta["incremental"] is True
    counts = {table["name"]: table["rows"] for table in meta["tables"]}
    assert counts.pop("github_activity_tracker__issue") == 1
    assert counts.pop("github_activity_tracker__commit") == 1
    assert set(counts.values()) == {0}
    issues = (second / "github_activity_tracker__issue.jsonl").read_text().splitlines()
    assert [json.loads(line)["title"] for line in issues] == ["renamed"]
    commits = (second / "github_activity_tracker__commit.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in commits] == [added.pk]
    third = export("--format", "jsonl")
    assert {table["rows"] for table in manifest(third)["tables"]} == {0}
    # --full ignores the watermark; --since takes rows changed from then on.
    assert manifest(export("--format", "jsonl", "--full"))["incremental"] is False
    since = manifest(export("--format", "jsonl", "--since", "2999-01-01"))
    issue_table = next(t for t in since["tables"] if t["name"].endswith("__issue"))
    assert issue_table["rows"] == 0
    assert issue_table["mode"] == "incremental"


def test_no_secret_reaches_any_exported_file(activity_db, workspace, settings) -> None:
    settings.GITHUB_TOKEN = TOKEN
    HttpCacheEntry.objects.create(
        key="k" * 64,
        url="https://api.github.com/repos/boostorg/json",
        etag='W/"abc"',
        body={"authorization": f"token {TOKEN}"},
        fetched_at=timezone.now(),
    )
    CollectorRun.objects.create(command="run_x", started_at=timezone.now(), error_summary=TOKEN)
    for fmt in ("json", "jsonl", "csv", "parquet"):
        directory = export("--format", fmt, "--full")
        for path in directory.iterdir():
            data = path.read_bytes()
            assert TOKEN.encode() not in data, path
            assert b"authorization" not in data.lower(), path


def test_an_unknown_app_is_a_one_line_error(db, workspace) -> None:
    with pytest.raises(CommandError) as raised:
        export("--format", "csv", "--app", "core")
    assert str(raised.value).startswith("--app 'core' is not an exportable app; choose from ")
    assert not (workspace / "exports").exists()


def test_app_filter_exports_only_that_app(activity_db, workspace) -> None:
    meta = manifest(export("--format", "csv", "--app", "boost_library_tracker"))
    assert {table["app"] for table in meta["tables"]} == {"boost_library_tracker"}


@pytest.mark.django_db(transaction=True)
def test_a_killed_export_leaves_no_partial_directory(tmp_path) -> None:
    repo = Repository.objects.create(github_id=1, owner="o", name="r", full_name="o/r")
    stamp = datetime(2024, 1, 1, tzinfo=UTC)
    Commit.objects.bulk_create(
        Commit(repository=repo, sha=f"{n:040x}", committed_at=stamp) for n in range(20_000)
    )
    output = tmp_path / "exports"
    child = start_on_test_db(
        "run_export", "--format", "jsonl", "--output", str(output), EXPORT_BATCH_ROWS="1"
    )
    deadline = time.monotonic() + 120
    while not any(p.is_file() for p in output.glob(".export-*.partial/*")):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    kill_and_wait(child, lock_name="command:run_export")
    assert [p.name for p in output.iterdir() if not p.name.startswith(".")] == []
    assert not Export.objects.exists()

    call_command("run_export", "--format", "jsonl", "--output", str(output), stdout=StringIO())
    entries = sorted(p.name for p in output.iterdir())
    assert len(entries) == 2, entries  # the export and its link
    assert entries[1] == "latest"
    assert (output / "latest" / "manifest.json").exists()
    commits = output / "latest" / "github_activity_tracker__commit.jsonl"
    assert sum(1 for _ in commits.open()) == 20_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--since", "2024-13-01"],
            "--since must be YYYY-MM-DD or an ISO datetime, got '2024-13-01'",
        ),
        (
            ["--since", "yesterday"],
            "--since must be YYYY-MM-DD or an ISO datetime, got 'yesterday'",
        ),
    ],
)
def test_a_bad_since_is_a_one_line_error(db, workspace, args, message) -> None:
    with pytest.raises(CommandError) as raised:
        export("--format", "jsonl", *args)
    assert str(raised.value) == message


def test_an_output_that_is_a_file_is_a_one_line_error(db, tmp_path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(CommandError) as raised:
        export("--format", "jsonl", "--output", str(target))
    assert str(raised.value) == f"--output {target} is not a directory"


def test_since_with_a_zone_takes_rows_changed_from_then(activity_db, workspace) -> None:
    FileChange.objects.create(commit=Commit.objects.first(), filename="a.cpp", status="added")
    meta = manifest(export("--format", "csv", "--since", "2000-01-01T00:00:00+02:00"))
    issues = next(t for t in meta["tables"] if t["name"] == "github_activity_tracker__issue")
    assert issues["rows"] == 5
    assert issues["watermark"]["from"] == "2000-01-01T00:00:00+02:00"
    files = next(t for t in meta["tables"] if t["name"] == "github_activity_tracker__filechange")
    assert files["mode"] == "full"  # an append-only table has no change time
