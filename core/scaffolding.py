"""Name checks and all-or-nothing writes for `startcollector`.

A new app must not shadow anything Python or Django already resolves by that name,
and a scaffold that fails half-way must not leave a half-app for the next attempt to
trip over: files are staged in a temporary folder beside the target and renamed
into place, and every rename is undone if a later one fails.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.core.management.base import CommandError

APP_LABEL_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

# Long enough for any real name; short enough that every generated line fits the
# project's 100-column limit (the widest: the collector test's wrapped import of
# <label>.management.commands.run_<label>).
MAX_APP_LABEL_LENGTH = 30

# Names Django or this project already use for something else.
RESERVED_NAMES = frozenset(
    {
        "admin",
        "apps",
        "asgi",
        "auth",
        "benchmarks",
        "config",
        "conftest",
        "contenttypes",
        "core",
        "django",
        "docs",
        "manage",
        "messages",
        "migrations",
        "models",
        "scripts",
        "services",
        "sessions",
        "settings",
        "sites",
        "static",
        "staticfiles",
        "templates",
        "test",
        "tests",
        "urls",
        "var",
        "views",
        "wsgi",
    }
)


def validate_app_label(label: str, *, installed_labels: Iterable[str], root: Path) -> None:
    """Raise `CommandError` with a one-line reason if `label` cannot name a new app in `root`."""
    if not APP_LABEL_PATTERN.match(label):
        raise CommandError(
            f"{label!r} is not a valid app label: use lowercase letters, digits and "
            "underscores, starting with a letter (e.g. heartbeat_demo)"
        )
    if len(label) > MAX_APP_LABEL_LENGTH:
        raise CommandError(
            f"{label!r} is {len(label)} characters long; an app label may have at most "
            f"{MAX_APP_LABEL_LENGTH}"
        )
    if keyword.iskeyword(label):
        raise CommandError(f"{label!r} is a Python keyword; choose another app label")
    if label in RESERVED_NAMES:
        raise CommandError(
            f"{label!r} is reserved by Django or this project; choose another app label"
        )
    if label in set(installed_labels):
        raise CommandError(f"{label!r} is already an installed app; choose another app label")
    target = root / label
    if target.exists():
        raise CommandError(f"{target} already exists; remove it or choose another app label")
    if label in sys.stdlib_module_names:
        raise CommandError(
            f"{label!r} is a standard library module; an app of that name would shadow it"
        )
    if importlib.util.find_spec(label) is not None:
        raise CommandError(
            f"{label!r} is already an importable module (an installed package or a folder "
            "on the Python path); choose another app label"
        )


def install_files(*, root: Path, files: Mapping[Path, str], units: list[Path]) -> None:
    """Write `files` (paths relative to `root`) so that either all of them appear or none.

    `units` are the entries renamed into place, in order: a new folder (the app) or a
    single file inside folders that may already exist (its docs page). Every file
    must lie inside one unit.
    """
    for unit in units:
        if (root / unit).exists():
            raise CommandError(f"{root / unit} already exists; nothing was written")
    staging = Path(tempfile.mkdtemp(prefix=".startcollector-", dir=root))
    placed: list[Path] = []
    made_dirs: list[Path] = []
    try:
        for relative, text in files.items():
            staged = staging / relative
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(text, encoding="utf-8")
        for unit in units:
            made_dirs += _make_parents(root / unit)
            (staging / unit).rename(root / unit)
            placed.append(root / unit)
    except OSError as exc:
        _undo(placed, made_dirs)
        raise CommandError(f"could not write the app ({exc}); nothing was left behind") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _make_parents(path: Path) -> list[Path]:
    """Create the missing parent folders of `path`; return them, outermost first."""
    missing = [parent for parent in path.parents if not parent.exists()]
    made = []
    for parent in reversed(missing):
        parent.mkdir()
        made.append(parent)
    return made


def _undo(placed: list[Path], made_dirs: list[Path]) -> None:
    for path in reversed(placed):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    for folder in reversed(made_dirs):
        folder.rmdir()
