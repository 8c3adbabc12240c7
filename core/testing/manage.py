"""Run `manage.py` in a child process on the test database, as an operator would.

What a person sees (stderr lines, exit codes, a process killed with SIGKILL) can
only be seen from outside the test process. The child uses the test settings with
the database pytest-django created (`tests_support.worker_settings`), so the test
must commit what the child should see: mark it `django_db(transaction=True)`.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from core.locks import held_lock_keys, lock_key
from core.models import CollectorRun

ROOT = Path(__file__).resolve().parents[2]
# A bound on a hung child, not a speed target: the suite fails instead of hanging.
CHILD_TIMEOUT = 300


def manage_env(**overrides: str) -> dict[str, str]:
    """The child's environment: the test database by name, plus `overrides`."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests_support.worker_settings"}
    env["TEST_WORKER_DB_NAME"] = str(connection.settings_dict["NAME"])
    env.update(overrides)
    return env


def start_on_test_db(*args: str, **env: str) -> subprocess.Popen[str]:
    """Start `manage.py *args` on the test database; the caller waits or kills it."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=manage_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_on_test_db(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `manage.py *args` on the test database to its end (at most CHILD_TIMEOUT s)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=manage_env(**env),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )


def wait_until_started(pid: int, *, timeout: float = 60) -> None:
    """Wait until the child `pid` has written its ledger row (its run has begun)."""
    deadline = time.monotonic() + timeout
    while not CollectorRun.objects.filter(pid=pid).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"process {pid} never started its run")
        time.sleep(0.02)


def kill_and_wait(process: subprocess.Popen[str], *, lock_name: str) -> None:
    """SIGKILL `process`, then wait until PostgreSQL has ended its session.

    The server notices a dead client within moments, not at once; until then the
    killed run's lock is still held and the next run would be skipped.
    """
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=CHILD_TIMEOUT)
    deadline = time.monotonic() + CHILD_TIMEOUT
    while lock_key(lock_name) in held_lock_keys():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the lock {lock_name} of killed pid {process.pid} was never freed")
        time.sleep(0.05)


def run_on_terminal(command: str, *args: str, env: dict[str, str]) -> str:
    """Run `manage.py command *args` with a pseudo-terminal as stdout (what a person's
    shell gives it); return everything it drew. The run must succeed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "manage.py", command, *args],
        cwd=ROOT,
        env=manage_env(**env, COLUMNS="160"),
        stdout=follower,
        stderr=subprocess.PIPE,
    )
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        drawn += chunk
    process.wait(timeout=CHILD_TIMEOUT)
    os.close(leader)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    return drawn.decode("utf-8", "replace")
