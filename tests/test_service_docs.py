"""generate_service_docs.py: pages rendered from services.py, and --check naming stale ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.service_docs import render_service_doc
from scripts import generate_service_docs

SERVICES = '''"""Writes for the demo app."""


def upsert_items(*, items: list[str], batch_size: int = 500) -> int:
    """Insert or refresh items.

    Keyed on the source id.
    """
    return len(items)


async def refresh_all() -> None:
    pass


def _helper() -> None:
    """Private: not documented."""
'''


def make_app(root: Path, label: str, services: str | None = SERVICES) -> None:
    (root / label).mkdir(parents=True)
    (root / label / "apps.py").write_text("")
    if services is not None:
        (root / label / "services.py").write_text(services)


def test_render_lists_public_functions_with_signature_and_docstring() -> None:
    page = render_service_doc(app_label="demo", source=SERVICES)
    assert page.startswith("# `demo` services\n")
    assert "Writes for the demo app." in page
    assert "## `upsert_items(*, items: list[str], batch_size: int=500) -> int`" in page
    assert "Insert or refresh items.\n\nKeyed on the source id." in page
    assert "## `async def refresh_all() -> None`\n\nNo docstring." in page
    assert "_helper" not in page


def test_render_says_when_there_is_nothing_public() -> None:
    assert "No public functions yet." in render_service_doc(app_label="demo", source="")


def test_write_then_check_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_app(tmp_path, "demo")
    make_app(tmp_path, "no_services", services=None)
    assert generate_service_docs.main(["--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "wrote docs/Service_API.md\nwrote docs/service_api/demo.md\n"
    assert sorted(p.name for p in (tmp_path / "docs/service_api").iterdir()) == ["demo.md"]
    assert generate_service_docs.main(["--root", str(tmp_path), "--check"]) == 0
    assert generate_service_docs.main(["--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "service docs: up to date\nservice docs: up to date\n"


def test_check_names_stale_missing_and_orphaned_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_app(tmp_path, "demo")
    make_app(tmp_path, "other")
    generate_service_docs.main(["--root", str(tmp_path)])
    (tmp_path / "demo/services.py").write_text(SERVICES + "\n\ndef purge() -> None:\n    pass\n")
    (tmp_path / "docs/service_api/other.md").unlink()
    (tmp_path / "docs/service_api/gone.md").write_text("old\n")
    capsys.readouterr()
    assert generate_service_docs.main(["--root", str(tmp_path), "--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "service docs: docs/Service_API.md is out of date",
        "service docs: docs/service_api/demo.md is out of date",
        "service docs: docs/service_api/other.md is missing",
        "service docs: docs/service_api/gone.md has no gone/services; delete it",
        "service docs: run `python scripts/generate_service_docs.py` and commit the result",
    ]


def test_app_option_writes_one_page_and_rejects_an_app_without_services(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_app(tmp_path, "demo")
    make_app(tmp_path, "other")
    assert generate_service_docs.main(["--root", str(tmp_path), "--app", "other"]) == 0
    assert [p.name for p in (tmp_path / "docs/service_api").iterdir()] == ["other.md"]
    with pytest.raises(SystemExit):
        generate_service_docs.main(["--root", str(tmp_path), "--app", "missing"])
    assert "missing/services.py does not exist" in capsys.readouterr().err


def test_a_services_package_is_documented_module_by_module(tmp_path: Path) -> None:
    package = tmp_path / "grown" / "services"
    package.mkdir(parents=True)
    (tmp_path / "grown" / "apps.py").write_text("")
    (package / "__init__.py").write_text('"""Writes of the grown app."""\n')
    (package / "_shared.py").write_text("def helper():\n    pass\n")
    (package / "commits.py").write_text('def ingest_commits(*, items):\n    """Store commits."""\n')
    (package / "issues.py").write_text('def ingest_issues(*, items):\n    """Store issues."""\n')

    assert generate_service_docs.main(["--root", str(tmp_path)]) == 0
    page = (tmp_path / "docs/service_api/grown.md").read_text()
    assert "from `grown/services/`" in page
    assert "Writes of the grown app." in page
    assert page.index("## `ingest_commits(*, items)`") < page.index("## `ingest_issues(*, items)`")
    assert "helper" not in page


def test_the_index_links_each_page_with_its_summary_and_functions(tmp_path: Path) -> None:
    make_app(tmp_path, "demo")
    make_app(tmp_path, "piped", services='"""Reads a | b.\n\nMore detail."""\n')
    make_app(tmp_path, "no_services", services=None)
    generate_service_docs.main(["--root", str(tmp_path)])
    rows = [
        line
        for line in (tmp_path / "docs/Service_API.md").read_text().splitlines()
        if line.startswith("| [")
    ]
    assert rows == [
        "| [`demo`](service_api/demo.md) | Writes for the demo app. | "
        "`upsert_items`, `refresh_all` |",
        "| [`piped`](service_api/piped.md) | Reads a \\| b. | none yet |",
    ]
    for row in rows:
        link = row.split("](", 1)[1].split(")", 1)[0]
        assert (tmp_path / "docs" / link).is_file()


def test_a_new_function_makes_the_index_stale_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_app(tmp_path, "demo")
    generate_service_docs.main(["--root", str(tmp_path)])
    (tmp_path / "demo/services.py").write_text(SERVICES + "\n\ndef purge() -> None:\n    pass\n")
    (tmp_path / "docs/service_api/demo.md").write_text(
        render_service_doc(app_label="demo", source=(tmp_path / "demo/services.py").read_text())
    )
    capsys.readouterr()
    assert generate_service_docs.main(["--root", str(tmp_path), "--check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "service docs: docs/Service_API.md is out of date"
    )
    assert generate_service_docs.main(["--root", str(tmp_path), "--app", "demo"]) == 0
    assert "`purge`" in (tmp_path / "docs/Service_API.md").read_text()
    assert generate_service_docs.main(["--root", str(tmp_path), "--check"]) == 0
