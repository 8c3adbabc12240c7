"""`make demo` end to end: a child process runs `manage.py demo` as the Makefile does.

The child's own database (DATABASE_URL) is the test database; its demo database is
another one on the same server. It replays the recordings, runs the daily schedule,
serves the site on a free port and stops on SIGINT or SIGTERM. The test logs in as
the printed user, reads the status page, the admin and /health/, counts the demo
database's rows directly and checks that the child's own database got none.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql
from psycopg.conninfo import make_conninfo

from boost_library_tracker.models import BoostVersion, Library, LibraryVersion
from core.models import CollectorRun
from core.testing.manage import CHILD_TIMEOUT, ROOT
from github_activity_tracker.models import Commit, Issue, Repository

pytestmark = pytest.mark.django_db

LABEL = "DEMO: recorded GitHub and Boost responses, not live data"
READY = re.compile(r"DEMO: open (http://127\.0\.0\.1:\d+)/status/ .* with password (\S+)")
TABLES = (BoostVersion, Library, LibraryVersion, Repository, Issue, Commit, CollectorRun)


def _server() -> dict[str, str]:
    """Host, port and credentials of the test database's server."""
    params = connection.get_connection_params()
    keys = ("host", "port", "user", "password")
    return {key: str(params[key]) for key in keys if params.get(key)}


def _connect(dbname: str, *, autocommit: bool = False) -> psycopg.Connection:
    return psycopg.connect(make_conninfo(**_server(), dbname=dbname), autocommit=autocommit)


@pytest.fixture
def demo_database() -> Iterator[str]:
    """The demo database's name; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_demo"
    yield name
    with _connect("postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def demo_env(demo_database: str) -> dict[str, str]:
    """What `make demo` sets, with the test database as the child's own database."""
    server = _server()
    credentials = quote(server.get("user", ""), safe="")
    if "password" in server:
        credentials += ":" + quote(server["password"], safe="")
    location = quote(server.get("host", ""), safe="") + (
        f":{server['port']}" if "port" in server else ""
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.demo_settings",
        "DATABASE_URL": f"postgres://{credentials}@{location}/{connection.settings_dict['NAME']}",
        "DEMO_DATABASE_NAME": demo_database,
    }


@dataclass
class RunningDemo:
    process: subprocess.Popen[str]
    lines: queue.Queue[str | None]
    output: list[str]
    url: str = ""
    password: str = ""

    def wait_until_ready(self) -> None:
        while True:
            try:
                line = self.lines.get(timeout=CHILD_TIMEOUT)
            except queue.Empty:
                raise AssertionError("the demo printed no URL:\n" + "".join(self.output)) from None
            if line is None:
                raise AssertionError(
                    "the demo ended before serving:\n"
                    + "".join(self.output)
                    + self.process.stderr.read()  # type: ignore[union-attr]
                )
            if found := READY.search(line):
                self.url, self.password = found.groups()
                return

    def stop(self, signum: int) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        code = self.process.wait(timeout=CHILD_TIMEOUT)
        while self.lines.get(timeout=CHILD_TIMEOUT) is not None:
            pass
        return code, "".join(self.output), self.process.stderr.read()  # type: ignore[union-attr]


def start_demo(demo_database: str, *args: str) -> RunningDemo:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--port", "0", *args],
        cwd=ROOT,
        env=demo_env(demo_database),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    demo = RunningDemo(process=process, lines=queue.Queue(), output=[])

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            demo.output.append(line)
            demo.lines.put(line)
        demo.lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return demo


def demo_counts(demo_database: str) -> dict[str, int]:
    with _connect(demo_database) as conn:
        return {
            model.__name__: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(model._meta.db_table))
            ).fetchone()[0]  # type: ignore[index]
            for model in TABLES
        }


def log_in(client: httpx.Client, password: str) -> httpx.Response:
    """Log in through the admin's form, as a visitor would, and land on /status/."""
    form = client.get("/status/")
    assert form.url.path == "/admin/login/"
    assert LABEL in form.text  # the admin's header, on the login page too
    return client.post(
        "/admin/login/?next=/status/",
        data={
            "username": "demo",
            "password": password,
            "next": "/status/",
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )


def assert_nothing_in_own_database() -> None:
    assert {model.__name__: model.objects.count() for model in TABLES} == dict.fromkeys(
        (model.__name__ for model in TABLES), 0
    )
    assert not get_user_model().objects.filter(username="demo").exists()


def test_make_demo_collects_into_its_own_database_serves_the_site_and_stops_on_ctrl_c(
    demo_database,
) -> None:
    demo = start_demo(demo_database, "--reset")
    demo.wait_until_ready()
    out = "".join(demo.output)
    assert f"{LABEL}." in out
    assert f"DEMO: database '{demo_database}' (created, migrated)" in out
    # people, the catalogue, the activity, the release sync and the export
    assert "5 tasks: 5 succeeded, 0 failed, 0 skipped" in out

    counts = demo_counts(demo_database)
    assert all(counts.values()), counts
    assert counts["BoostVersion"] == 1
    assert counts["Commit"] == 2
    assert_nothing_in_own_database()

    with httpx.Client(base_url=demo.url, follow_redirects=True, timeout=CHILD_TIMEOUT) as client:
        status = log_in(client, demo.password)
        assert status.status_code == 200
        assert status.url.path == "/status/"
        assert f'<p class="demo-banner">{LABEL}</p>' in status.text
        assert "run_github_activity_tracker" in status.text
        fresh = status.text.count('<span class="fresh">fresh</span>')
        assert fresh == 3  # people, github, reporting
        releases = client.get("/admin/boost_library_tracker/boostversion/")
        assert "boost-1.86.0" in releases.text
        assert LABEL in releases.text
        health = client.get("/health/")
    assert health.status_code == 200
    assert health.json()["demo"] == LABEL
    assert health.json()["status"] == "healthy"

    code, out, err = demo.stop(signal.SIGINT)
    assert code == 0, err
    assert out.rstrip().endswith("DEMO: stopped")
    assert "Traceback" not in err


def test_a_second_demo_keeps_its_data_asks_only_what_changed_and_stops_on_sigterm(
    demo_database,
) -> None:
    first = subprocess.run(
        [sys.executable, "manage.py", "demo", "--no-serve", "--reset"],
        cwd=ROOT,
        env=demo_env(demo_database),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    assert first.returncode == 0, first.stderr
    password = re.search(r"log in as 'demo' with password (\S+)", first.stdout)
    assert password is not None
    counts = demo_counts(demo_database)

    demo = start_demo(demo_database)
    demo.wait_until_ready()
    out = "".join(demo.output)
    assert f"DEMO: database '{demo_database}' (kept from the last demo, migrated)" in out
    assert "group 'github': no new release, its on_release tasks do not run" in out
    assert "3 tasks: 3 succeeded, 0 failed, 0 skipped" in out
    again = demo_counts(demo_database)
    assert again["CollectorRun"] > counts["CollectorRun"]
    assert {k: v for k, v in again.items() if k != "CollectorRun"} == {
        k: v for k, v in counts.items() if k != "CollectorRun"
    }
    assert demo.password != password.group(1)  # a new password each run

    code, _out, err = demo.stop(signal.SIGTERM)
    assert code == 0, err
    assert_nothing_in_own_database()


def test_the_demo_refuses_the_normal_settings() -> None:
    with pytest.raises(CommandError, match=r"make demo, or DJANGO_SETTINGS_MODULE="):
        call_command("demo", "--no-serve")
    assert not CollectorRun.objects.exists()


def test_the_demo_database_must_not_be_the_users_own(demo_database) -> None:
    env = demo_env(demo_database)
    env["DEMO_DATABASE_NAME"] = str(connection.settings_dict["NAME"])
    result = subprocess.run(
        [sys.executable, "manage.py", "demo", "--no-serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Configuration error: DEMO_DATABASE_NAME must name a database other than yours "
        f"({connection.settings_dict['NAME']!r}): the demo fills its database with recorded data"
    ]
