"""Every entry point stops on a bad setting with one line on stderr and no traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from config.tests.processes import GOOD_SECRET_KEY, run, venv_tool
from core.testing.project_copy import copy_project

ENTRY_POINTS = {
    "manage.py": [sys.executable, "manage.py", "check"],
    "celery worker": [venv_tool("celery"), "-A", "config", "worker", "-l", "info"],
    "celery beat": [venv_tool("celery"), "-A", "config", "beat", "-l", "info"],
    "gunicorn": [venv_tool("gunicorn"), "config.wsgi", "--bind", "127.0.0.1:0"],
}
BAD_CONFIGURATIONS = {
    "no secret key": (
        {"DEBUG": "False"},
        "Configuration error: SECRET_KEY is not set and DEBUG is False; set a long random "
        "SECRET_KEY in the environment or .env",
    ),
    "unknown log format": (
        {"DEBUG": "False", "SECRET_KEY": GOOD_SECRET_KEY, "LOG_FORMAT": "xml"},
        "Configuration error: LOG_FORMAT must be one of text, json, got 'xml'",
    ),
}


@pytest.fixture(scope="module")
def fresh_checkout(tmp_path_factory) -> Path:
    """The code without .env, whose development values would hide the missing key."""
    return copy_project(tmp_path_factory.mktemp("checkout"))


@pytest.mark.parametrize("configuration", BAD_CONFIGURATIONS)
@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_bad_configuration_is_one_line(fresh_checkout, entry_point, configuration) -> None:
    env, line = BAD_CONFIGURATIONS[configuration]
    result = run(ENTRY_POINTS[entry_point], cwd=fresh_checkout, **env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [line]
