"""The issue's "done when": after the GitHub collector runs against the loopback server,
a month in the recordings gives a report with charts and a parquet export reads back."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import html5lib
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from core.testing.fixture_server import point_github_at
from github_activity_tracker.testing import github_routes as routes
from reports.models import Export, Report

pytestmark = pytest.mark.django_db
TOKEN = "ghp_" + "Dada8765" * 5


def test_recorded_github_month_reports_and_exports(settings, fixture_server, tmp_path) -> None:
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    settings.GITHUB_ACTIVITY_REPOS = [routes.REPO]
    routes.add_repository(fixture_server)
    call_command("run_github_activity_tracker", stdout=StringIO())

    # January 2025 in the recordings: two commits and a pull request opened.
    call_command("run_monthly_report", "--month", "2025-01", stdout=StringIO())
    page = Path(Report.objects.get().path).read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert page.count('<img src="data:image/svg+xml;base64,') == 3
    assert "<dt>commits</dt><dd>2</dd>" in page
    assert "<dt>PRs opened</dt><dd>1</dd>" in page

    call_command("run_export", "--format", "parquet", stdout=StringIO())
    directory = Path(Export.objects.get().path)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    for table in manifest["tables"]:
        assert pq.read_table(directory / table["file"]).num_rows == table["rows"]
    commits = pq.read_table(directory / "github_activity_tracker__commit.parquet")
    assert commits.num_rows == 2
    assert str(commits.schema.field("committed_at").type) == "timestamp[us, tz=UTC]"
    assert TOKEN.encode() not in b"".join(p.read_bytes() for p in directory.iterdir())
