"""Run the project's entry points in a subprocess with a controlled environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Variables a test sets itself; the suite's own values must not leak into the child.
PROJECT_VARIABLES = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "LOG_FORMAT"}
# Long and varied enough for Django's check --deploy (security.W009).
GOOD_SECRET_KEY = "prod-like-secret-for-tests-only-4f9c2a7e1b8d3f6a0c5e9b2d7a4f1c8e"


def clean_env(**overrides: str) -> dict[str, str]:
    """The current environment without project variables, plus `overrides`."""
    keep = {k: v for k, v in os.environ.items() if k not in PROJECT_VARIABLES}
    keep.update(overrides)
    return keep


def run(argv: list[str], *, cwd: str | Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=clean_env(**env), capture_output=True, text=True, timeout=120
    )


def manage(*args: str, cwd: str | Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "manage.py", *args], cwd=cwd, **env)


def venv_tool(name: str) -> str:
    """A console script installed beside the running interpreter (celery, gunicorn)."""
    return str(Path(sys.executable).parent / name)
