"""docs/tutorial_first_collector.md, replayed step by step in a copy of the project.

Each step runs the tutorial's own command in a subprocess, as a new contributor would,
and the code the tutorial asks them to paste is taken from the page itself, so the
page and the scaffold cannot drift apart. The copy gets a database of its own on the
same PostgreSQL server as the test suite, and never holds a practice app the person
running the suite may have installed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import LiteralString
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from core.layout import REPO_ROOT
from core.testing.project_copy import copy_project

TUTORIAL = REPO_ROOT / "docs" / "tutorial_first_collector.md"
COMMAND_FILE = Path("heartbeat_demo/management/commands/run_heartbeat_demo.py")
SMOKE_TEST_FILE = Path("heartbeat_demo/tests/test_run_heartbeat_demo_command.py")
API_KEY_ERROR = (
    "[collector=heartbeat_demo phase=run category=command] heartbeat_demo: "
    "HEARTBEAT_DEMO_API_KEY is not set. Add it to .env and document it in .env.example."
)


class Project:
    """A copy of the repository with its own database, driven through manage.py."""

    def __init__(self, root: Path, database_url: str, admin_params: dict) -> None:
        self.root = root
        self.database_url = database_url
        self.admin_params = admin_params

    def env(self) -> dict[str, str]:
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("COV_", "DJANGO_", "DATABASE_", "HEARTBEAT_", "PYTEST_"))
        }
        return {**inherited, "DATABASE_URL": self.database_url}

    def run(self, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("manage.py", *args)

    def query(self, statement: LiteralString) -> list[tuple]:
        with psycopg.connect(**self.admin_params) as conn:
            return conn.execute(statement).fetchall()

    def files(self) -> set[Path]:
        return {path.relative_to(self.root) for path in self.root.rglob("*") if path.is_file()}


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def tutorial_block(marker: str) -> str:
    """The tutorial's one Python block containing `marker`."""
    blocks = re.findall(r"```python\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.DOTALL)
    matching = [block for block in blocks if marker in block]
    assert len(matching) == 1, f"expected one tutorial block with {marker!r}"
    return matching[0]


def server_params() -> dict:
    """How the test suite's connection reaches PostgreSQL, minus the database name."""
    params = connection.get_connection_params()
    return {key: params[key] for key in ("host", "port", "user", "password") if params.get(key)}


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    root = copy_project(tmp_path / "project", without_apps=["heartbeat_demo"])
    params = server_params()
    name = f"tutorial_{uuid.uuid4().hex[:12]}"
    query = "&".join(
        f"{key}={quote(str(params[key]), safe='')}" for key in ("host", "port") if key in params
    )
    credentials = quote(params.get("user", ""), safe="")
    if "password" in params:
        credentials += ":" + quote(params["password"], safe="")
    url = f"postgres://{credentials}@/{name}?{query}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield Project(root, url, {"dbname": name, **params})
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            for database in (name, f"test_{name}"):
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                admin.execute(drop.format(sql.Identifier(database)))


def add_to_installed_apps(project: Project) -> None:
    settings = project.root / "config" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    entry = '    "github_activity_tracker",\n'
    assert entry in text
    settings.write_text(text.replace(entry, entry + '    "heartbeat_demo",\n'), encoding="utf-8")


def add_source_key_flag(project: Project) -> None:
    """§3.1: replace the Command class with the tutorial's."""
    path = project.root / COMMAND_FILE
    text = path.read_text(encoding="utf-8")
    new_command = tutorial_block("def add_arguments").split("\n", 1)[1]  # drop the path comment
    head = text[: text.index("class Command(BaseCollectorCommand):")]
    path.write_text(head + new_command, encoding="utf-8")


def require_api_key(project: Project) -> None:
    """§3.3: the tutorial's import block and validate_config replace the generated ones."""
    path = project.root / COMMAND_FILE
    text = path.read_text(encoding="utf-8")
    imports = tutorial_block("\nimport os\n")
    text = re.sub(
        r"^from __future__ import annotations\n.*?\nfrom heartbeat_demo import services\n",
        lambda _match: imports,
        text,
        count=1,
        flags=re.DOTALL | re.MULTILINE,
    )
    method = tutorial_block("raise CommandError(").rstrip("\n")
    indented = "\n".join(f"    {line}" if line else "" for line in method.splitlines())
    text = re.sub(
        r"    def validate_config\(self\) -> None:\n.*?(?=\n\n    def collect)",
        lambda _match: indented,
        text,
        flags=re.DOTALL,
    )
    path.write_text(text, encoding="utf-8")


def give_smoke_test_the_key(project: Project) -> None:
    """§3.3, last step: the smoke test's TEST_ENVIRONMENT gets the tutorial's value."""
    path = project.root / SMOKE_TEST_FILE
    line = tutorial_block(f"# {SMOKE_TEST_FILE}").split("\n", 1)[1]
    text = path.read_text(encoding="utf-8")
    generated = "TEST_ENVIRONMENT: dict[str, str] = {}\n"
    assert generated in text
    path.write_text(text.replace(generated, line), encoding="utf-8")


def follow_the_tutorial_edits(project: Project) -> None:
    add_source_key_flag(project)
    require_api_key(project)
    give_smoke_test_the_key(project)


def test_tutorial_works_as_written(project: Project) -> None:
    before = project.files()
    dry_run = succeeded(project.manage("startcollector", "heartbeat_demo", "--dry-run"))
    assert "heartbeat_demo/management/commands/run_heartbeat_demo.py" in dry_run
    assert "enabled: false" in dry_run
    assert project.files() == before

    created = succeeded(project.manage("startcollector", "heartbeat_demo"))
    assert '1. Add "heartbeat_demo" to INSTALLED_APPS' in created
    for generated in ("heartbeat_demo/services.py", "heartbeat_demo/migrations/0001_initial.py"):
        assert (project.root / generated).is_file()
    succeeded(project.run("scripts/generate_service_docs.py", "--check"))

    add_to_installed_apps(project)
    succeeded(project.manage("migrate", "--no-input"))
    assert "completed" in succeeded(project.manage("run_heartbeat_demo"))
    table = "heartbeat_demo_heartbeatdemorunstate"
    rows = f"SELECT source_key, run_count FROM {table} ORDER BY source_key"
    assert project.query(rows) == [("default", 1)]

    add_source_key_flag(project)
    succeeded(project.manage("run_heartbeat_demo", "--source-key=prod"))
    assert project.query(rows) == [("default", 1), ("prod", 1)]

    require_api_key(project)
    failed = project.manage("run_heartbeat_demo")
    assert failed.returncode == 1
    [error_line] = [line for line in failed.stderr.splitlines() if " ERROR " in line]
    assert error_line.endswith(API_KEY_ERROR)
    assert "Traceback" not in failed.stderr
    ledger = project.query(
        "SELECT status, exit_code, failure_category, phase FROM core_collectorrun "
        "WHERE command = 'run_heartbeat_demo' ORDER BY id DESC LIMIT 1"
    )
    assert ledger == [("failed", 1, "command", "run")]

    give_smoke_test_the_key(project)
    tests = project.root / "heartbeat_demo" / "tests"
    for name in ("test_services.py", "test_collector.py"):
        shown = tutorial_block(f"# heartbeat_demo/tests/{name}").split("\n", 1)[1]
        assert shown == (tests / name).read_text(encoding="utf-8"), f"§4 shows another {name}"
    # No HEARTBEAT_DEMO_API_KEY here: the smoke test sets it itself.
    outcome = project.run("-m", "pytest", "heartbeat_demo/tests/", "-p", "no:cacheprovider", "-q")
    assert "5 passed" in succeeded(outcome)


# The tests a new app can break: the schema page, the service pages, the admin of
# every model, cross-app imports, and startcollector itself.
APP_SET_TESTS = (
    "tests/test_schema_doc.py",
    "tests/test_service_docs.py",
    "tests/test_admin.py",
    "tests/test_cross_app_imports.py",
    "core/tests/test_startcollector.py",
)
PROBE = Path("heartbeat_demo/pyright_probe.py")


def test_a_new_app_is_first_class_without_editing_project_config(project: Project) -> None:
    """After the tutorial, pytest, pyright, ruff and coverage include the app unasked.

    `pytest` with no arguments is asserted on its collection (every app's tests, the
    new app's included, benchmarks/ left out), and then run on the new app plus the
    tests a new app can break (APP_SET_TESTS), not the whole four-minute suite again.
    """
    succeeded(project.run("scripts/generate_schema_doc.py"))  # a fresh clone's page
    succeeded(project.manage("startcollector", "heartbeat_demo"))
    add_to_installed_apps(project)
    succeeded(project.manage("migrate", "--no-input"))
    stale = project.run("scripts/generate_schema_doc.py", "--check")
    assert stale.returncode == 1
    assert stale.stderr.splitlines()[-1] == (
        "schema doc: run `python scripts/generate_schema_doc.py` and commit the result"
    )
    succeeded(project.run("scripts/generate_schema_doc.py"))
    follow_the_tutorial_edits(project)

    collected = succeeded(project.run("-m", "pytest", "--collect-only", "-q"))
    node_ids = [line for line in collected.splitlines() if "::" in line]
    test_folders = {path.parent for path in project.root.glob("*/tests/test_*.py")}
    assert {node.split("/", 1)[0] for node in node_ids} == {
        folder.parent.name for folder in test_folders
    } | {"tests"}
    assert {node for node in node_ids if node.startswith("heartbeat_demo/")} == {
        "heartbeat_demo/tests/test_collector.py::test_validate_config_rejects_an_empty_source_key",
        "heartbeat_demo/tests/test_collector.py::test_collect_calls_the_service",
        "heartbeat_demo/tests/test_run_heartbeat_demo_command.py::"
        "test_run_heartbeat_demo_records_a_run",
        "heartbeat_demo/tests/test_services.py::test_record_run_creates_and_increments",
        "heartbeat_demo/tests/test_services.py::test_record_run_refuses_a_blank_source_key",
    }

    report = project.root / "coverage.json"
    outcome = project.run(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--cov",
        f"--cov-report=json:{report}",
        "--cov-fail-under=0",
        "heartbeat_demo",
        *APP_SET_TESTS,
        timeout=600,
    )
    assert " failed" not in succeeded(outcome)
    measured = json.loads(report.read_text(encoding="utf-8"))["files"]
    assert measured["heartbeat_demo/services.py"]["summary"]["percent_covered"] == 100
    assert not [name for name in measured if name.startswith(("heartbeat_demo/tests/", "."))]

    for check in (["check", "."], ["format", "--check", "."]):
        succeeded(project.run("-m", "ruff", *check))
    # pyright's configured venv: the one running this suite, as `make install` makes it.
    (project.root / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    (project.root / PROBE).write_text(
        "from heartbeat_demo.management.commands.run_heartbeat_demo import "
        "HeartbeatDemoCollector\n\n"
        "reveal_type(HeartbeatDemoCollector().source_key)\n",
        encoding="utf-8",
    )
    typed = project.run("-m", "pyright", "--outputjson", timeout=600)
    diagnostics = json.loads(typed.stdout)["generalDiagnostics"]
    # The probe's reveal_type note proves the app was checked; it is the only finding.
    root = project.root.resolve()
    assert [(Path(d["file"]).relative_to(root), d["severity"]) for d in diagnostics] == [
        (PROBE, "information")
    ], typed.stdout
    assert typed.returncode == 0
