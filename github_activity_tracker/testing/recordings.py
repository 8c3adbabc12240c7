"""Recorded GitHub payloads, read from this app's copied fixtures (`tests/fixtures`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
WEBSITE = FIXTURES / "boostorg-website-v2-contributions"
OCTOKIT = FIXTURES / "octokit-fixtures"


def recorded(relative: str) -> Any:
    """A boostorg/website-v2 recording, e.g. `website-v2_issue-1188/issue_rest.json`."""
    return json.loads((WEBSITE / relative).read_text(encoding="utf-8"))


def octokit_responses(scenario: str, method: str, path_start: str) -> list[Any]:
    """The response bodies of one octokit scenario's requests matching method and path."""
    exchanges = json.loads((OCTOKIT / scenario / "raw-fixture.json").read_text(encoding="utf-8"))
    return [
        e["response"]
        for e in exchanges
        if e["method"] == method and e["path"].startswith(path_start)
    ]
