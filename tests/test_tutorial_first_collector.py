"""docs/tutorial_first_collector.md, replayed step by step in a copy of the project.

Each step runs the tutorial's own command in a subprocess, as a new contributor would,
and the code the tutorial asks them to paste is taken from the page itself, so the
page and the scaffold cannot drift apart. The copy gets a database of its own on the
same PostgreSQL server as the test suite.
"""

from __future__ import annotations

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

    def env(self, **extra: str) -> dict[str, str]:
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("COV_", "DJANGO_", "DATABASE_", "HEARTBEAT_", "PYTEST_"))
        }
        return {**inherited, "DATABASE_URL": self.database_url, **extra}

    def run(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=self.root,
            env=self.env(**extra_env),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def manage(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return self.run("manage.py", *args, **extra_env)

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
    root = copy_project(tmp_path / "project")
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
    entry = '    "cppa_user_tracker",\n'
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
    """§3.3: add the block's imports at the top and swap in its validate_config."""
    path = project.root / COMMAND_FILE
    text = path.read_text(encoding="utf-8")
    block = tutorial_block("HEARTBEAT_DEMO_API_KEY")
    imports, method = block.split("def validate_config", 1)
    method = "def validate_config" + method.rstrip("\n")
    indented = "\n".join(f"    {line}" if line else "" for line in method.splitlines())
    text = re.sub(
        r"    def validate_config\(self\) -> None:\n.*?(?=\n\n    def collect)",
        lambda _match: indented,
        text,
        flags=re.DOTALL,
    )
    future = "from __future__ import annotations\n\n"
    text = text.replace(future, future + imports.strip() + "\n\n")
    path.write_text(text, encoding="utf-8")


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

    tests = project.root / "heartbeat_demo" / "tests"
    for name in ("test_services.py", "test_collector.py"):
        (tests / name).write_text(
            tutorial_block(f"# heartbeat_demo/tests/{name}"), encoding="utf-8"
        )
    outcome = project.run(
        "-m",
        "pytest",
        "heartbeat_demo/tests/",
        "-p",
        "no:cacheprovider",
        "-q",
        HEARTBEAT_DEMO_API_KEY="test",
    )
    assert "4 passed" in succeeded(outcome)
