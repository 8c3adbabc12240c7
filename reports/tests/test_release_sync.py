"""run_on_release_sync: the release summary, idempotent; the catalogue re-collected."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from boost_library_tracker.models import BoostVersion
from boost_library_tracker.testing import github_routes as catalogue_routes
from core.models import CollectorRun
from core.testing.fixture_server import point_github_at
from reports.models import ReleaseSummary

TOKEN = "ghp_" + "Feed5678" * 5


def sync(*args: str) -> str:
    out = StringIO()
    call_command("run_on_release_sync", *args, stdout=out)
    return out.getvalue()


def test_summary_has_new_and_updated_libraries_and_contributors(activity_db, workspace) -> None:
    out = sync("--version", "boost-1.86.0", "--no-recollect")
    summary = json.loads((workspace / "reports" / "releases" / "boost-1.86.0.json").read_text())
    assert summary["previous_version"] == "boost-1.85.0"
    assert summary["new_libraries"] == ["beast"]
    assert summary["updated_libraries"] == {"json": ["description"]}
    # Commits from 2024-04-15 12:00 to 2024-05-14 12:00: Alice 3, Bob 2, Carol 1.
    assert summary["contributors_since_previous"] == 3
    assert summary["top_contributors"] == [
        {"name": "Alice Adams", "commits": 3},
        {"name": "bob", "commits": 2},
        {"name": "Carol", "commits": 1},
    ]
    assert "Release summary for boost-1.86.0 written: 1 new, 1 updated libraries" in out
    markdown = (workspace / "reports" / "releases" / "boost-1.86.0.md").read_text()
    assert "- new libraries: beast" in markdown


def test_a_second_run_for_the_same_release_changes_nothing(activity_db, workspace) -> None:
    sync("--version", "boost-1.86.0", "--no-recollect")
    path = workspace / "reports" / "releases" / "boost-1.86.0.md"
    before, row = path.read_bytes(), ReleaseSummary.objects.get()
    out = sync("--version", "boost-1.86.0", "--no-recollect")
    assert "Release summary for boost-1.86.0 unchanged" in out
    assert path.read_bytes() == before
    again = ReleaseSummary.objects.get()
    assert again.updated_at == row.updated_at
    assert again.summary == row.summary


def test_the_release_catalogue_is_collected_again(db, settings, fixture_server, tmp_path) -> None:
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    catalogue_routes.add_gitmodules(fixture_server, "boost-1.86.0")
    catalogue_routes.add_release_list(fixture_server)
    catalogue_routes.queue_catalogue_run(fixture_server)
    out = sync("--version", "boost-1.86.0")
    assert BoostVersion.objects.get().name == "boost-1.86.0"
    commands = list(CollectorRun.objects.order_by("id").values_list("command", "status"))
    assert commands == [
        ("run_on_release_sync", "succeeded"),
        ("run_boost_library_tracker", "succeeded"),
    ]
    assert "Release summary for boost-1.86.0 written: 0 new" in out  # no earlier release


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--version", "1.86"], "--version must be a stable tag like boost-1.86.0, got '1.86'"),
        (
            ["--no-recollect"],
            "no Boost release is known yet: run run_boost_library_tracker first, "
            "or pass --version boost-X.Y.Z",
        ),
        (
            ["--version", "boost-9.9.9", "--no-recollect"],
            "boost-9.9.9 is not in the catalogue: run run_boost_library_tracker --version "
            "boost-9.9.9",
        ),
    ],
)
def test_bad_input_is_a_one_line_error(db, workspace, args, message) -> None:
    with pytest.raises(CommandError) as raised:
        sync(*args)
    assert str(raised.value) == message
