"""startcollector: the name checks, the dry run, the files it writes, and a failed write."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.layout import REPO_ROOT
from core.management.commands.startcollector import app_files, pascal_case
from core.scaffolding import MAX_APP_LABEL_LENGTH
from core.service_docs import render_index, render_service_doc, stale_docs

# Not the tutorial's heartbeat_demo: a contributor who followed the tutorial has that
# one installed, and startcollector rightly refuses an installed label.
LABEL = "sample_source"
EXPECTED_FILES = {
    f"{LABEL}/__init__.py",
    f"{LABEL}/admin.py",
    f"{LABEL}/apps.py",
    f"{LABEL}/models.py",
    f"{LABEL}/services.py",
    f"{LABEL}/views.py",
    f"{LABEL}/schedule_snippet.yaml",
    f"{LABEL}/migrations/__init__.py",
    f"{LABEL}/migrations/0001_initial.py",
    f"{LABEL}/management/__init__.py",
    f"{LABEL}/management/commands/__init__.py",
    f"{LABEL}/management/commands/run_{LABEL}.py",
    f"{LABEL}/tests/__init__.py",
    f"{LABEL}/tests/test_run_{LABEL}_command.py",
    f"{LABEL}/tests/test_services.py",
    f"{LABEL}/tests/test_collector.py",
    f"docs/service_api/{LABEL}.md",
}


def startcollector(root: Path, *args: str) -> str:
    out = StringIO()
    call_command("startcollector", *args, "--path", str(root), stdout=out)
    return out.getvalue()


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


@pytest.mark.parametrize(
    ("label", "message"),
    [
        (
            "HeartBeat",
            "'HeartBeat' is not a valid app label: use lowercase letters, digits and "
            "underscores, starting with a letter (e.g. heartbeat_demo)",
        ),
        (
            "1st_tracker",
            "'1st_tracker' is not a valid app label: use lowercase letters, digits and "
            "underscores, starting with a letter (e.g. heartbeat_demo)",
        ),
        (
            "a" * 31,
            f"'{'a' * 31}' is 31 characters long; an app label may have at most 30",
        ),
        ("class", "'class' is a Python keyword; choose another app label"),
        ("config", "'config' is reserved by Django or this project; choose another app label"),
        ("tests", "'tests' is reserved by Django or this project; choose another app label"),
        (
            "cppa_user_tracker",
            "'cppa_user_tracker' is already an installed app; choose another app label",
        ),
        (
            "json",
            "'json' is a standard library module; an app of that name would shadow it",
        ),
        (
            "httpx",
            "'httpx' is already an importable module (an installed package or a folder "
            "on the Python path); choose another app label",
        ),
    ],
)
def test_refuses_bad_names_with_one_line_reason(tmp_path: Path, label: str, message: str) -> None:
    for dry_run in ([], ["--dry-run"]):
        with pytest.raises(CommandError) as raised:
            startcollector(tmp_path, label, *dry_run)
        assert str(raised.value) == message
    assert list(tmp_path.iterdir()) == []


def test_refuses_an_existing_folder_and_a_missing_root(tmp_path: Path) -> None:
    (tmp_path / LABEL).mkdir()
    with pytest.raises(CommandError) as raised:
        startcollector(tmp_path, LABEL)
    assert str(raised.value) == (
        f"{tmp_path / LABEL} already exists; remove it or choose another app label"
    )
    with pytest.raises(CommandError) as raised:
        startcollector(tmp_path / "nowhere", LABEL)
    assert str(raised.value) == f"--path {tmp_path / 'nowhere'} is not a folder"


def test_refuses_an_existing_docs_page(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "service_api" / f"{LABEL}.md"
    page.parent.mkdir(parents=True)
    page.write_text("mine\n")
    with pytest.raises(CommandError) as raised:
        startcollector(tmp_path, LABEL)
    assert str(raised.value) == f"{page} already exists; nothing was written"
    assert files_under(tmp_path) == {f"docs/service_api/{LABEL}.md"}
    assert page.read_text() == "mine\n"


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    out = startcollector(tmp_path, LABEL, "--dry-run")
    assert list(tmp_path.iterdir()) == []
    assert out.startswith(f"Dry run: nothing written. Would create in {tmp_path}:")
    for path in EXPECTED_FILES:
        assert f"  {path}\n" in out
    assert f"- command: run_{LABEL}\n  schedule: daily\n  enabled: false\n" in out
    assert "Next steps" not in out


def test_writes_the_app_the_tutorial_lists_and_says_what_next(tmp_path: Path) -> None:
    out = startcollector(tmp_path, LABEL)
    assert files_under(tmp_path) == EXPECTED_FILES
    app = tmp_path / LABEL
    assert f'name = "{LABEL}"' in (app / "apps.py").read_text()
    assert "class SampleSourceConfig(AppConfig):" in (app / "apps.py").read_text()
    command = (app / f"management/commands/run_{LABEL}.py").read_text()
    assert "class SampleSourceCollector(AbstractCollector):" in command
    assert "add_arguments" not in command  # --source-key is the tutorial's first edit
    assert (tmp_path / f"docs/service_api/{LABEL}.md").read_text() == render_service_doc(
        app_label=LABEL, source=(app / "services.py").read_text()
    )
    assert f"Created the {LABEL} app in {tmp_path}:" in out
    assert f'  1. Add "{LABEL}" to INSTALLED_APPS in config/settings.py' in out
    assert "  2. Run: python manage.py migrate\n" in out
    assert "  3. Run: python scripts/generate_schema_doc.py  (docs/Schema.md gains" in out
    assert f"{LABEL}_samplesourcerunstate" in out
    assert "enabled: false until the app is merged" in out
    assert "docs/cross-app-dependencies.md" in out
    assert (
        "  7. When services.py gains public functions: python scripts/generate_service_docs.py"
        in out
    )


def test_the_service_api_index_gains_the_new_app(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/Service_API.md").write_text(render_index(root=tmp_path))
    out = startcollector(tmp_path, LABEL)
    assert "  docs/Service_API.md (updated)\n" in out
    assert f"[`{LABEL}`](service_api/{LABEL}.md)" in (tmp_path / "docs/Service_API.md").read_text()
    assert stale_docs(root=tmp_path) == []


def test_a_failure_midway_leaves_nothing_behind(tmp_path: Path) -> None:
    # A file where the docs folder should be: the app folder is already in place when
    # its docs page cannot be written, so the app must be taken back out.
    (tmp_path / "docs").write_text("not a folder\n")
    with pytest.raises(CommandError) as raised:
        startcollector(tmp_path, LABEL)
    assert str(raised.value).startswith("could not write the app (")
    assert str(raised.value).endswith("); nothing was left behind")
    assert files_under(tmp_path) == {"docs"}
    assert [path.name for path in tmp_path.iterdir()] == ["docs"]


# The longest label allowed makes every generated line its widest (a wrapped import).
@pytest.mark.parametrize(
    "label", ["abc_tracker", "zeta", "corex", "widest".ljust(MAX_APP_LABEL_LENGTH, "x")]
)
def test_generated_code_passes_ruff_wherever_the_label_sorts(tmp_path: Path, label: str) -> None:
    for relative, text in app_files(label).items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    config = ["--config", str(REPO_ROOT / "pyproject.toml")]
    source_roots = ["--config", f"src = ['{REPO_ROOT}', '{tmp_path}']"]
    for check in (["check", *source_roots], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *check, *config, str(tmp_path / label)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_pascal_case() -> None:
    assert pascal_case("heartbeat_demo") == "HeartbeatDemo"
    assert pascal_case("wg21_paper_tracker") == "Wg21PaperTracker"
