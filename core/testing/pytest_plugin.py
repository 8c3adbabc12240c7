"""Pytest fixtures for every app: `fixture_server` and `fake_clock`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.testing.clock import FakeClock
from core.testing.fixture_server import FixtureServer


@pytest.fixture
def fixture_server() -> Iterator[FixtureServer]:
    """A started loopback server with no routes; add recordings and faults per test."""
    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_clock() -> FakeClock:
    """A clock that records sleeps instead of sleeping."""
    return FakeClock()
