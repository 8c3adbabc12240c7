"""check_cross_app_imports.py: undeclared imports, unused rows, and the framework rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import check_cross_app_imports
from scripts.check_cross_app_imports import check, declared_dependencies

TABLE_HEAD = "| Importing app | Imported app | Why |\n| --- | --- | --- |\n"


def make_project(root: Path, files: dict[str, str], rows: str = "") -> Path:
    for label in ("core", "alpha", "beta"):
        (root / label).mkdir()
        (root / label / "apps.py").write_text("")
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    (root / "docs").mkdir()
    (root / "docs/cross-app-dependencies.md").write_text("# Deps\n\n" + TABLE_HEAD + rows)
    return root


def test_imports_of_core_and_within_an_app_need_no_row(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        {
            "alpha/services.py": "from core.bulk import upsert\nimport core.runs\n",
            "alpha/collectors.py": "from . import services\nfrom alpha.models import X\n",
        },
    )
    assert check(tmp_path) == []


def test_an_undeclared_import_is_reported_with_file_and_line(tmp_path: Path) -> None:
    make_project(tmp_path, {"alpha/collectors.py": "import os\n\nfrom beta.selectors import get\n"})
    assert check(tmp_path) == [
        "alpha/collectors.py:3: alpha imports beta.selectors: "
        "not declared in docs/cross-app-dependencies.md"
    ]


def test_a_declared_import_passes_and_an_unused_row_is_reported(tmp_path: Path) -> None:
    rows = "| `alpha` | `beta` | reads releases |\n| `beta` | `alpha` | nothing any more |\n"
    make_project(tmp_path, {"alpha/collectors.py": "import beta.selectors\n"}, rows)
    assert check(tmp_path) == [
        "docs/cross-app-dependencies.md declares beta -> alpha, but no such import exists; "
        "remove the row"
    ]


def test_core_code_may_not_import_an_app_but_its_declared_tests_may(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        {"core/runs.py": "from alpha import models\n", "core/tests/test_x.py": "import alpha\n"},
        "| `core` | `alpha` | tests only |\n",
    )
    assert check(tmp_path) == [
        "core/runs.py:1: core imports alpha: core is the framework and must not import "
        "collector apps"
    ]


def test_declared_dependencies_reads_only_table_rows() -> None:
    text = "Intro `alpha` | `beta`\n\n" + TABLE_HEAD + "| `alpha` | `beta` | why |\n"
    assert declared_dependencies(text) == {("alpha", "beta")}


def test_main_lists_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_project(tmp_path, {"beta/admin.py": "from alpha.models import Thing\n"})
    assert check_cross_app_imports.main(["--root", str(tmp_path), "--list"]) == 0
    assert capsys.readouterr().out == "beta/admin.py:1: beta imports alpha.models\n"
    assert check_cross_app_imports.main(["--root", str(tmp_path)]) == 1
    assert "not declared" in capsys.readouterr().err
    (tmp_path / "beta/admin.py").write_text("")
    assert check_cross_app_imports.main(["--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "cross-app imports: all declared\n"
