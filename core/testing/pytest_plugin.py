"""Pytest fixtures for every app: `fixture_server`, `fake_clock` and `browser`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.testing.browser import headless_chromium
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


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium driver (Selenium); skipped without one, except in CI."""
    with headless_chromium() as driver:
        yield driver
