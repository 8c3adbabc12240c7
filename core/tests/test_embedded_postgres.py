"""The embedded server: safe first start from several processes, status and stop."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core import embedded_postgres

ROOT = Path(__file__).resolve().parents[2]

START_AND_QUERY = textwrap.dedent(
    """
    import sys
    import psycopg
    from core import embedded_postgres
    host = embedded_postgres.socket_dir(sys.argv[1])
    with psycopg.connect(host=host, user="postgres", dbname="postgres") as conn:
        print(conn.execute("select 40 + 2").fetchone()[0])
    """
)


@pytest.fixture
def data_dir(tmp_path: Path):
    # Short path: the Unix socket lives in the data folder and its path is limited.
    path = tmp_path / "pg"
    yield path
    embedded_postgres.stop(path)


def test_three_processes_start_a_new_server_at_once(data_dir: Path) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", START_AND_QUERY, str(data_dir)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=240) for p in processes]
    for process, (stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr
        assert stdout.strip() == "42"
    assert "running" in embedded_postgres.status(data_dir)
    assert embedded_postgres.stop(data_dir) is True
    assert embedded_postgres.status(data_dir).startswith("stopped")
    assert embedded_postgres.stop(data_dir) is False


def test_status_of_a_missing_folder(tmp_path: Path) -> None:
    assert embedded_postgres.status(tmp_path / "nothing").startswith("not initialised")


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_embedded_db_command_refuses_with_database_url(settings) -> None:
    settings.DATABASES = {"default": {**settings.DATABASES["default"], "EMBEDDED_DATA_DIR": None}}
    with pytest.raises(CommandError, match="DATABASE_URL is set"):
        call_command("embedded_db", "status")


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_embedded_db_command_status_and_stop(settings, data_dir: Path) -> None:
    settings.DATABASES = {
        "default": {**settings.DATABASES["default"], "EMBEDDED_DATA_DIR": str(data_dir)}
    }
    out = StringIO()
    call_command("embedded_db", "start", stdout=out)
    assert out.getvalue().startswith("running")
    out = StringIO()
    call_command("embedded_db", "stop", stdout=out)
    assert out.getvalue().strip() == "stopped"
    out = StringIO()
    call_command("embedded_db", "stop", stdout=out)
    assert out.getvalue().strip() == "was not running"


def test_dbshell_reaches_the_embedded_server_with_its_own_psql(data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update({"DEBUG": "True", "EMBEDDED_POSTGRES_DIR": str(data_dir)})
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["PATH"] = "/nonexistent"  # no psql of the machine's: the bundled one must do
    result = subprocess.run(
        [sys.executable, "manage.py", "dbshell"],
        cwd=ROOT,
        env=env,
        input="show data_directory;\n",
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert str(data_dir.resolve()) in result.stdout
    assert result.stderr == ""
