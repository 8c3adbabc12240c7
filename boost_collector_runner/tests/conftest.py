"""Helpers for the scheduler tests: schedule files and command runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# "did you mean 'a', 'b' or 'c'?": the rest of the list depends on which run_* commands
# exist, so expectations name only the closest, and every new collector keeps them true.
_MORE_SUGGESTIONS = re.compile(r"(, '[a-z0-9_]+')*( or '[a-z0-9_]+')?\?")


def closest_suggested(actual: str, expected: str) -> bool:
    """`actual` equals `expected` up to "did you mean 'closest'", then 0-2 more names."""
    if "did you mean" not in expected or not expected.endswith("?"):
        return actual == expected
    head = expected.removesuffix("?")
    return actual.startswith(head) and bool(_MORE_SUGGESTIONS.fullmatch(actual[len(head) :]))


def project_env(**overrides: str) -> dict[str, str]:
    """The environment for a manage.py subprocess: development settings plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env["DEBUG"] = "True"  # SECRET_KEY: the test settings' key, inherited
    env.pop("BOOST_COLLECTOR_SCHEDULE_STRICT", None)
    env.update(overrides)
    return env


def start_manage(*args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=project_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(autouse=True)
def no_registered_release_detectors(monkeypatch):
    """Runner tests register their own detectors; the real ones (the Boost catalogue's
    reads GitHub) stay out of them."""
    from boost_collector_runner import releases

    monkeypatch.setattr(releases, "_detectors", [])


@pytest.fixture
def schedule_file(tmp_path, settings):
    """Write a schedule and point BOOST_COLLECTOR_SCHEDULE_YAML at it."""

    def write(text: str) -> Path:
        path = tmp_path / "schedule.yaml"
        path.write_text(text, encoding="utf-8")
        settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(path)
        return path

    return write


def run_command(name: str, *args: str) -> str:
    """Run a command in-process and return its stdout (exceptions propagate)."""
    out = StringIO()
    call_command(name, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def children(batch):
    """The task rows of a batch row, oldest first."""
    from core.models import CollectorRun

    return CollectorRun.objects.filter(parent=batch).order_by("id")
