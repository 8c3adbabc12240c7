"""`make install` on a fresh copy, then the seeds' commands exactly as they write them.

The docs say `python manage.py ...`, `uv run pytest` and `celery -A config worker`;
after `make install` those need `.venv/bin` and, when uv was not on PATH, `var/uv/bin`
on PATH. `make install` prints the lines that do it, and this runs them in bash. uv
itself is placed in the copy's var/uv beforehand (the one running this suite), so the
Makefile's own download of uv from PyPI is the one step not exercised here; `uv sync`
is, from uv's cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.layout import REPO_ROOT
from core.testing.project_copy import copy_project

ACTIVATE = "    source .venv/bin/activate"


def suite_uv() -> Path:
    """The uv that runs this suite: `uv run` names itself in UV; else PATH, else var/uv."""
    found = os.environ.get("UV") or shutil.which("uv") or REPO_ROOT / "var" / "uv" / "bin" / "uv"
    assert Path(found).is_file(), "no uv binary to place in the copy"
    return Path(found)


def user_env(path: list[str]) -> dict[str, str]:
    """A user's shell: no activated venv, no project variables, `path` as PATH."""
    dropped = ("VIRTUAL_ENV", "DATABASE_URL", "UV")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith(("COV_", "DJANGO_", "PYTEST_"))
    }
    return {**env, "PATH": os.pathsep.join(path)}


def path_without_uv_or_venv() -> list[str]:
    venv_bin = str(Path(sys.executable).parent)
    return [
        folder
        for folder in os.environ["PATH"].split(os.pathsep)
        if folder != venv_bin and not (Path(folder) / "uv").exists()
    ]


def make_install(root: Path, path: list[str]) -> list[str]:
    result = subprocess.run(
        ["make", "install"],
        cwd=root,
        env=user_env(path),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "checkout")
    uv = root / "var" / "uv" / "bin" / "uv"
    uv.parent.mkdir(parents=True)
    uv.symlink_to(suite_uv())
    return root


def test_make_install_prints_the_lines_after_which_the_seeds_commands_work(
    checkout: Path,
) -> None:
    path = path_without_uv_or_venv()
    printed = make_install(checkout, path)
    export = f'    export PATH="{checkout}/var/uv/bin:$PATH"'
    assert printed[printed.index(ACTIVATE) :][:2] == [ACTIVATE, export]
    assert printed[-1] == "or start a shell where this is done: make shell"
    assert (checkout / ".env").is_file()

    commands = [
        ACTIVATE.strip(),
        export.strip(),
        "command -v python celery uv",
        "python manage.py check",
        "celery --version",
        "uv run --frozen pytest --version",
    ]
    shell = subprocess.run(
        ["bash", "-euc", "\n".join(commands)],
        cwd=checkout,
        env=user_env(path),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert shell.returncode == 0, shell.stdout + shell.stderr
    lines = shell.stdout.splitlines()
    assert lines[:3] == [
        f"{checkout}/.venv/bin/python",
        f"{checkout}/.venv/bin/celery",
        f"{checkout}/var/uv/bin/uv",
    ]
    assert lines[3] == "System check identified no issues (0 silenced)."
    assert lines[4].split()[0].count(".") == 2  # celery's version, e.g. 5.7.0
    assert lines[5].startswith("pytest ")


def test_with_uv_on_path_only_the_activate_line_is_printed(checkout: Path) -> None:
    uv_on_path = checkout.parent / "bin"
    uv_on_path.mkdir()
    (uv_on_path / "uv").symlink_to(suite_uv())
    printed = make_install(checkout, [str(uv_on_path), *path_without_uv_or_venv()])
    assert printed[printed.index(ACTIVATE) + 1] == ""
    assert not [line for line in printed if "export PATH" in line]


def test_make_shell_has_the_tools_on_path(checkout: Path) -> None:
    path = path_without_uv_or_venv()
    make_install(checkout, path)
    shell = subprocess.run(
        ["make", "shell"],
        cwd=checkout,
        env={**user_env(path), "HOME": str(checkout.parent)},  # no ~/.bashrc of the user
        input="command -v python celery uv\nexit\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert shell.returncode == 0, shell.stdout + shell.stderr
    assert shell.stdout.splitlines()[1:] == [
        f"{checkout}/.venv/bin/python",
        f"{checkout}/.venv/bin/celery",
        f"{checkout}/var/uv/bin/uv",
    ]
