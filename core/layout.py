"""Where things are in a checkout: the project's Django apps and their docs.

Scripts and `startcollector` read the source tree directly (no Django set-up), so an
app that is not in INSTALLED_APPS yet, or a throwaway copy of the project, is seen
the same way as the real one.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVICE_DOCS_DIR = Path("docs") / "service_api"
SERVICE_API_INDEX = Path("docs") / "Service_API.md"
CROSS_APP_DEPENDENCIES_DOC = Path("docs") / "cross-app-dependencies.md"
SCHEMA_DOC = Path("docs") / "Schema.md"


def project_apps(root: Path) -> list[str]:
    """Name the project's Django apps: top-level folders with an `apps.py`, sorted."""
    return sorted(
        child.name
        for child in root.iterdir()
        if child.is_dir() and not child.name.startswith(".") and (child / "apps.py").is_file()
    )
