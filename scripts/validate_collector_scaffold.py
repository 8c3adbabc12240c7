"""Scaffold a throwaway collector app and prove it is clean; `make test` runs this.

Under .test_artifacts/scaffold_check/ it runs `startcollector` with the longest label
allowed (so every generated line is at its widest), then checks the app with ruff and
a pyright scoped to it, compares its service docs page with the generator's output,
runs its generated tests with the app installed and migrated, and asserts that
`makemigrations --check` finds nothing to add. The folder is removed afterwards
(kept with --keep). Any failure exits 1 and names the step.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make `core` importable
    sys.path.insert(0, str(REPO_ROOT))

from core.scaffolding import MAX_APP_LABEL_LENGTH  # noqa: E402
from core.service_docs import doc_path, expected_docs  # noqa: E402

ARTIFACTS = REPO_ROOT / ".test_artifacts" / "scaffold_check"
LABEL = "scaffoldcheck".ljust(MAX_APP_LABEL_LENGTH, "x")
SETTINGS_MODULE = "scaffold_check_settings"

SETTINGS = f'''"""The test settings with the throwaway app installed, on its own test database."""

from config.test_settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "{LABEL}"]  # noqa: F405
DATABASES["default"]["TEST"] = {{"NAME": "test_scaffold_check"}}  # noqa: F405
'''


class StepFailed(Exception):
    pass


def run(step: str, *command: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise StepFailed(f"{step} failed (exit {result.returncode}): {' '.join(command)}\n{output}")
    print(f"  ok  {step}")


def django_env(settings_module: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env["PYTHONPATH"] = os.pathsep.join([str(ARTIFACTS), str(REPO_ROOT)])
    return env


def write_pyright_config() -> Path:
    config = {
        "include": [LABEL],
        "extraPaths": [str(REPO_ROOT)],
        "venvPath": str(REPO_ROOT),
        "venv": ".venv",
        "pythonVersion": "3.11",
        "typeCheckingMode": "basic",
        "reportIncompatibleVariableOverride": False,
    }
    path = ARTIFACTS / "pyrightconfig.json"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def validate() -> None:
    python = sys.executable
    env = django_env(SETTINGS_MODULE)
    (ARTIFACTS / f"{SETTINGS_MODULE}.py").write_text(SETTINGS, encoding="utf-8")
    run(
        "startcollector",
        python,
        "manage.py",
        "startcollector",
        LABEL,
        "--path",
        str(ARTIFACTS),
        env=django_env("config.test_settings"),
    )
    app = str(ARTIFACTS / LABEL)
    ruff_src = f"src = ['.', '{ARTIFACTS}']"
    run("ruff check", python, "-m", "ruff", "check", "--config", ruff_src, app)
    run("ruff format", python, "-m", "ruff", "format", "--check", app)
    run("pyright", python, "-m", "pyright", "-p", str(write_pyright_config()))
    # The app's own page only: the throwaway folder has no project index to keep up.
    page = doc_path(LABEL)
    if (ARTIFACTS / page).read_text(encoding="utf-8") != expected_docs(
        root=ARTIFACTS, apps=[LABEL]
    )[page]:
        raise StepFailed(f"service docs stub differs from the generator: {page}")
    print("  ok  service docs stub")
    run(
        "generated tests",
        python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--ds",
        SETTINGS_MODULE,
        str(ARTIFACTS / LABEL / "tests"),
        env=env,
    )
    run(
        "makemigrations --check",
        python,
        "manage.py",
        "makemigrations",
        "--check",
        "--dry-run",
        LABEL,
        env=env,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", action="store_true", help="Keep the scaffold for inspection.")
    options = parser.parse_args(argv)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    print(f"scaffold check: {LABEL} in {ARTIFACTS.relative_to(REPO_ROOT)}")
    try:
        validate()
    except StepFailed as exc:
        print(f"scaffold check: {exc}", file=sys.stderr)
        return 1
    finally:
        if not options.keep:
            shutil.rmtree(ARTIFACTS, ignore_errors=True)
    print("scaffold check: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
