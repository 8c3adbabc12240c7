"""Copy the project's code to another folder, as a fresh clone would have it.

Tests that run `manage.py` in a clean tree (no `.env`, no `var/`) use this, so a new
app at the repository root is picked up without editing every such test.
"""

from __future__ import annotations

import shutil
from collections.abc import Collection
from pathlib import Path

from core.layout import REPO_ROOT, SERVICE_DOCS_DIR, project_apps

# Besides the Django apps (every top-level package with an apps.py).
PROJECT_FILES = (
    ".env.example",
    "Makefile",
    "manage.py",
    "conftest.py",
    "gunicorn.conf.py",
    "pyproject.toml",
    "uv.lock",
    "benchmarks",
    "config",
    "docs",
    "scripts",
    "tests",
)
SETTINGS_FILE = Path("config") / "settings.py"


def project_parts(root: Path = REPO_ROOT) -> list[str]:
    """Names of the top-level files and folders a working copy needs."""
    return [*PROJECT_FILES, *project_apps(root)]


def copy_project(
    destination: Path, *, root: Path = REPO_ROOT, without_apps: Collection[str] = ()
) -> Path:
    """Copy the code (not .env, var/ or caches) into `destination`; return it.

    `without_apps` are left out with their INSTALLED_APPS entries and service docs
    pages: a test that creates an app needs a tree without it, even when the person
    running the suite has one installed (the tutorial's practice app).
    """
    destination.mkdir(parents=True, exist_ok=True)
    for name in project_parts(root):
        source = root / name
        if name in without_apps:
            continue
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        elif source.exists():
            shutil.copy2(source, destination / name)
    for app in without_apps:
        (destination / SERVICE_DOCS_DIR / f"{app}.md").unlink(missing_ok=True)
        settings = destination / SETTINGS_FILE
        lines = settings.read_text(encoding="utf-8").splitlines(keepends=True)
        entry = f'"{app}",'
        settings.write_text(
            "".join(line for line in lines if line.strip() != entry), encoding="utf-8"
        )
    return destination
