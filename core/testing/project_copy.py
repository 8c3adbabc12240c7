"""Copy the project's code to another folder, as a fresh clone would have it.

Tests that run `manage.py` in a clean tree (no `.env`, no `var/`) use this, so a new
app at the repository root is picked up without editing every such test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from core.layout import REPO_ROOT

# Besides the Django apps (every top-level package with an apps.py).
PROJECT_FILES = ("manage.py", "gunicorn.conf.py", "pyproject.toml", "config", "docs", "scripts")


def project_parts(root: Path = REPO_ROOT) -> list[str]:
    """Names of the top-level files and folders a working copy needs."""
    apps = sorted(path.parent.name for path in root.glob("*/apps.py"))
    return [*PROJECT_FILES, *apps]


def copy_project(destination: Path, *, root: Path = REPO_ROOT) -> Path:
    """Copy the code (not .env, var/ or caches) into `destination`; return it."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in project_parts(root):
        source = root / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination
