"""Builders shared by the access-layer tests: recorded GitHub routes and clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.http import GitHubClient, RetryPolicy, TokenPool
from core.http.client import SERVER_ERROR_STATUSES
from core.testing.clock import FakeClock
from core.testing.fixture_server import FixtureServer

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "github"
OCTOKIT = FIXTURES / "octokit-fixtures"

ISSUES_PATH = "/repos/octokit-fixture-org/paginate-issues/issues"
ISSUES_PARAMS = {"per_page": 3}
# The five pages of the octokit recording, as the server's routes name them.
ISSUE_PAGES = [f"{ISSUES_PATH}?per_page=3"] + [
    f"/repositories/1000/issues?per_page=3&page={n}" for n in range(2, 6)
]
TOKEN_A = "ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2
TOKEN_B = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0" * 2

FAST_POLICY = RetryPolicy(max_attempts=3, retry_statuses=SERVER_ERROR_STATUSES)


@pytest.fixture
def octokit_server(fixture_server: FixtureServer) -> FixtureServer:
    """The fixture server loaded with the paginate-issues and get-repository recordings."""
    for scenario in ("paginate-issues", "get-repository"):
        fixture_server.load_octokit(OCTOKIT / scenario / "normalized-fixture.json")
    return fixture_server


@pytest.fixture
def make_client(
    fixture_server: FixtureServer, fake_clock: FakeClock
) -> Iterator[Callable[..., GitHubClient]]:
    """Build GitHubClients on the fixture server with a fake clock; closed after the test."""
    built: list[GitHubClient] = []

    def build(**kwargs: Any) -> GitHubClient:
        kwargs.setdefault("tokens", TokenPool([TOKEN_A]))
        kwargs.setdefault("base_url", fixture_server.base_url)
        kwargs.setdefault("clock", fake_clock)
        kwargs.setdefault("policy", FAST_POLICY)
        kwargs.setdefault("conditional", False)
        client = GitHubClient(**kwargs)
        built.append(client)
        return client

    yield build
    for client in built:
        client.close()
