"""`make install` on a fresh copy, then the docs' commands exactly as they write them.

The docs write `python manage.py ...`, `uv run pytest` and `celery -A config worker`;
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
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from core.layout import REPO_ROOT
from core.testing.project_copy import copy_project

ACTIVATE = "    source .venv/bin/activate"


def suite_uv() -> Path:
    """The uv that runs this suite: `uv run` names itself in UV; else PATH, else var/uv."""
    found = os.environ.get("UV") or shutil.which("uv") or REPO_ROOT / "var" / "uv" / "bin" / "uv"
    assert Path(found).is_file(), "no uv binary to place in the copy"
    return Path(found)


def user_env(path: list[str]) -> dict[str, str]:
    """A user's shell: no activated venv, no project variables, `path` as PATH.

    Nor the outer make's variables (when the suite runs under `make test`): with
    MAKELEVEL set, make prints "Entering/Leaving directory" lines a user never sees.
    """
    dropped = ("VIRTUAL_ENV", "DATABASE_URL", "UV", "MAKELEVEL", "MAKEFLAGS", "MFLAGS")
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


def run_as_user(
    argv: list[str], *, cwd: Path, path: list[str], stdin: str | None = None, **env: str
) -> list[str]:
    """Run `argv` with the user's environment (see user_env); its stdout lines."""
    result = subprocess.run(
        argv,
        cwd=cwd,
        env={**user_env(path), **env},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def make_install(root: Path, path: list[str]) -> list[str]:
    return run_as_user(["make", "install"], cwd=root, path=path)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "checkout")
    uv = root / "var" / "uv" / "bin" / "uv"
    uv.parent.mkdir(parents=True)
    uv.symlink_to(suite_uv())
    return root


def test_make_install_prints_the_lines_after_which_the_docs_commands_work(
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
    lines = run_as_user(["bash", "-euc", "\n".join(commands)], cwd=checkout, path=path)
    assert lines[:3] == [
        f"{checkout}/.venv/bin/python",
        f"{checkout}/.venv/bin/celery",
        f"{checkout}/var/uv/bin/uv",
    ]
    assert lines[3] == "System check identified no issues (0 silenced)."
    # The copy's .venv comes from the same uv.lock as the one running this.
    assert lines[4].startswith(f"{version('celery')} ")
    assert lines[5] == f"pytest {version('pytest')}"


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
    lines = run_as_user(
        ["make", "shell"],
        cwd=checkout,
        path=path,
        stdin="command -v python celery uv\nexit\n",
        HOME=str(checkout.parent),  # no ~/.bashrc of the user's
    )
    assert lines[1:] == [
        f"{checkout}/.venv/bin/python",
        f"{checkout}/.venv/bin/celery",
        f"{checkout}/var/uv/bin/uv",
    ]


def test_the_seeds_ci_workflow_runs_commands_that_exist() -> None:
    """The seed names .github/workflows/actions.yml; each make target it runs exists."""
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "actions.yml").read_text())
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    commands = [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]
    targets = [
        word for command in commands if command.startswith("make ") for word in command.split()[1:]
    ]
    assert {"lint", "typecheck", "scaffold-check"} <= set(targets)
    assert all(f"\n{target}:" in makefile for target in targets), targets
    assert "bash .ci/run" in commands
