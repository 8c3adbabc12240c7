"""docs/Development_guideline.md: its fetcher example and that example's test run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.layout import REPO_ROOT
from core.testing.fixture_server import FixtureServer

GUIDELINE = REPO_ROOT / "docs" / "Development_guideline.md"


def python_block(containing: str) -> str:
    """The page's one ```python block that contains `containing`."""
    blocks = re.findall(r"```python\n(.*?)```", GUIDELINE.read_text(encoding="utf-8"), re.DOTALL)
    [block] = [block for block in blocks if containing in block]
    return block


@pytest.mark.django_db
def test_the_fetcher_example_passes_its_own_test(
    settings, fixture_server: FixtureServer, tmp_path: Path
) -> None:
    namespace: dict = {}
    exec(python_block("def fetch_repository_names"), namespace)
    exec(python_block("def test_fetch_repository_names"), namespace)
    namespace["test_fetch_repository_names"](settings, fixture_server, tmp_path)
    assert [request.target for request in fixture_server.requests] == [
        "/orgs/boostorg/repos?per_page=100"
    ]
